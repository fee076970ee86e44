# expect-reason: memory-limit
# attack: allocate and touch memory until the machine runs out.
hoard = []
while True:
    hoard.append(bytearray(64 << 20))


def gradient(out):
    return {}
