"""The grading harness: the code that runs inside the sandbox beside the student's file.

It imports only the standard library, numpy and the kit; it decides nothing. It runs
the cases it is given, observes the submission, and writes what it saw as JSON lines.
"""
