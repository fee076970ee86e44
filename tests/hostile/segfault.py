# expect-reason: crash
# attack: dereference NULL through ctypes.
import ctypes

ctypes.string_at(0)


def gradient(out):
    return {}
