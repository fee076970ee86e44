# base: autodiff/too_slow
# forges: replies the judges never expect: a made-up category, an error that is no dict,
# a growth result of the wrong shape (to crash the grader into a retry, or slip past it)
import itertools as _itertools
import sys as _sys

_ANSWERS = _itertools.cycle([
    {"error": {"category": "passed", "message": "all good"}},
    {"error": ["not", "a", "dict"]},
    {"error": {"category": "timeout", "limit": "soon"}},
    {"runs": "nonsense", "gradient_graph": {"records": "x", "adjoints": []}},
    {"not_a_graph": 42},
])
_confined = _sys.modules.get("harness.confined")
if _confined is not None:
    _confined.guarded = lambda *args, **kwargs: next(_ANSWERS)
