# expect-reason: crash
# attack: lift the recursion limit and recurse through C calls until the C stack overflows.
import sys

sys.setrecursionlimit(10**7)


def dive(depth):
    # Calling through __call__ re-enters the interpreter loop in C at every level.
    return dive.__call__(depth + 1) + 1


dive(0)


def gradient(out):
    return {}
