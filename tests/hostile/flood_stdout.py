# expect-reason: output-limit
# attack: write to stdout forever.
import sys

chunk = "A" * 65536
while True:
    sys.stdout.write(chunk)


def gradient(out):
    return {}
