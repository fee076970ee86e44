# expect-reason: cpu-time
# attack: a loop that catches everything, the harness's timeout included, and goes on looping.


def gradient(out):
    while True:
        try:
            while True:
                pass
        except BaseException:  # noqa: BLE001
            pass
