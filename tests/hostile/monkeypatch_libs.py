# expect-reason: ok
# attack: monkeypatch numpy and json in its own process so comparisons always pass, and try
# to rewrite numpy's files for later runs.
import json

import numpy

numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda *args, **kwargs: True
json.dumps = lambda *args, **kwargs: '{"score": 100}'
json.loads = lambda *args, **kwargs: {"score": 100}
try:
    with open(numpy.__file__, "a") as handle:
        handle.write("\nallclose = lambda *a, **k: True\n")
except OSError as error:
    print("numpy is read-only:", error)


def gradient(out):
    return {"allclose": numpy.allclose(1, 2)}
