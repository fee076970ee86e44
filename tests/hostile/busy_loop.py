# expect-reason: cpu-time
# attack: spin the CPU forever inside gradient().


def gradient(out):
    while True:
        pass
