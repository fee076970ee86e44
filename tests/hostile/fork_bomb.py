# expect-reason: timeout
# attack: fork bomb; every child forks again forever.
import os

while True:
    try:
        os.fork()
    except OSError:
        pass


def gradient(out):
    return {}
