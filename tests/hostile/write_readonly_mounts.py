# expect-reason: ok
# attack: overwrite the course kit, the inputs and numpy so that later runs are corrupted.
import os

import numpy

TARGETS = ["/sandbox/kit/autodiff.py", "/sandbox/in/runner.py",
           os.path.join(os.path.dirname(numpy.__file__), "__init__.py"), "/usr/lib/os-release"]


def gradient(out):
    report = {}
    for path in TARGETS:
        try:
            with open(path, "a") as handle:
                handle.write("\nraise SystemExit('corrupted')\n")
            report[path] = "WROTE"
        except OSError as error:
            report[path] = f"blocked: {error}"
        try:
            os.unlink(path)
            report[path + " unlink"] = "DELETED"
        except OSError as error:
            report[path + " unlink"] = f"blocked: {error}"
    print(report)
    return report
