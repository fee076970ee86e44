# expect-reason: ok
# attack: kill its parent and everything it can reach (kill -9 -1), hoping to take down the
# worker or other runs.
import os
import signal

for target in (os.getppid(), -1, 1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError as error:
        print("kill", target, error)


def gradient(out):
    return {"still": "here"}
