"""Helpers shared by several test folders (fixtures live in tests/conftest.py).

A test module imports from here, never from another test module or another folder's conftest.
"""
