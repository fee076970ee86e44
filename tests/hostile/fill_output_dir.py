# expect-reason: ok
# attack: fill the output dir so the host reads back huge files (or runs out of disk).
import os

out = os.environ.get("SANDBOX_OUT", "/sandbox/out")
for index in range(10_000):
    try:
        with open(f"{out}/junk-{index}.bin", "wb") as handle:
            for _ in range(64):
                handle.write(b"\xff" * (1 << 20))
    except OSError as error:
        print("stopped", index, error)
        break


def gradient(out):
    return {}
