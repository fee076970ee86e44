# expect-reason: cpu-time
# attack: ignore SIGTERM, SIGXCPU, SIGINT and SIGHUP, then spin.
import signal

for sig in (signal.SIGTERM, signal.SIGXCPU, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, signal.SIG_IGN)


def gradient(out):
    while True:
        pass
