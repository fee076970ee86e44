# expect-reason: cpu-time
# attack: never finish importing: the loop runs at the top level of the file.
while True:
    pass


def gradient(out):
    return {}
