# expect-reason: ok
# attack: double-fork + setsid daemon that closes its pipes and tries to outlive the run.
import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in (0, 1, 2):
            os.close(fd)
        while True:
            with open("/tmp/daemon-heartbeat", "w") as beat:
                beat.write(str(time.time()))
            time.sleep(0.05)
    os._exit(0)
os.wait()


def gradient(out):
    return {"daemon": "started"}
