# expect-reason: ok
# attack: fill /tmp (and $HOME) until the disk is full.
import os


def gradient(out):
    written = 0
    for index in range(10_000):
        try:
            with open(f"/tmp/fill-{index}", "wb") as handle:
                for _ in range(64):
                    handle.write(b"\0" * (1 << 20))
                    written += 1 << 20
        except OSError as error:
            return {"written": written, "stopped": str(error)}
    return {"written": written}
