# expect-reason: ok
# attack: os._exit(0) at import time, skipping the harness and its result file.
import os

os._exit(0)


def gradient(out):
    return {}
