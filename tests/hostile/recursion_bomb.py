# expect-reason: crash
# attack: lift the recursion limit inside gradient() and recurse through C calls until the C
# stack overflows, in every test, so that every test kills its process.
import sys


def dive(depth):
    return dive.__call__(depth + 1) + 1


def gradient(out):
    sys.setrecursionlimit(10**7)
    return dive(0)
