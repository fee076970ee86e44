"""The trusted side of the engine: reference solutions, numerical checks and memory profiling.

The kit students import (``autodiff``) lives in ``reference/kit``; nothing here is
shipped to students or mounted in a sandbox.
"""
