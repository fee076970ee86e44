"""Background workers of the autograder (sandboxed execution of submissions)."""
