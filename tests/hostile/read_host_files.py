# expect-reason: ok
# attack: read /etc/shadow, /root, the repository's reference solutions, the test's canary
# file and the host's /proc/1/environ, and print whatever comes back.
import os

LOOT = ["/etc/shadow", "/etc/passwd", "/proc/1/environ", os.environ.get("CANARY_PATH", "")]


def grab(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(4096)
    except OSError as error:
        return f"denied: {error}"


def gradient(out):
    found = {path: grab(path) for path in LOOT if path}
    repo = os.environ.get("REPO_PATH", "/")
    for directory in ("/root", "/work", repo, os.path.join(repo, "reference", "solutions"), "/"):
        try:
            found[directory] = sorted(os.listdir(directory))
        except OSError as error:
            found[directory] = f"denied: {error}"
    for root, _dirs, files in os.walk("/"):
        if "solutions" in root:
            found[root] = files
    print(found)
    return {k: repr(v) for k, v in found.items()}
