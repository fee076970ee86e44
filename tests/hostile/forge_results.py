# expect-reason: ok
# attack: print a forged verdict on stdout and plant forged result files wherever it can.
import json
import os

FORGED = {"score": 100, "passed": True, "cases": [{"case": 1, "ok": True}]}
print(json.dumps(FORGED))
print('{"case": 1, "ok": true}')
out = os.environ.get("SANDBOX_OUT", "/sandbox/out")
for target in (f"{out}/result.json", f"{out}/results.jsonl", "/sandbox/in/result.json",
               f"{out}/../result.json"):
    try:
        with open(target, "w") as handle:
            json.dump(FORGED, handle)
    except OSError as error:
        print("blocked", target, error)


def gradient(out):
    return FORGED
