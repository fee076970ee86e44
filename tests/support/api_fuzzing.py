"""Schemathesis hooks for the API: how to write the Python source an upload's part holds.

The OpenAPI document says the upload is a `text/x-python` file; no schema keyword can say
"compiles", so schemathesis is told here how to make such files (SCHEMATHESIS_HOOKS names this
module). Every file it makes compiles, so a refusal of one is a real failure.
"""

from __future__ import annotations

import keyword

import schemathesis
from hypothesis import strategies as st

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: not keyword.iskeyword(name))
VALUES = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                   st.text(max_size=20), st.booleans(), st.none())
STATEMENTS = st.one_of(
    st.builds("{} = {!r}".format, NAMES, VALUES),
    st.builds("def {}(x):\n    return x * {!r}".format, NAMES, st.integers()),
    st.builds("# {}".format, st.text(alphabet=st.characters(blacklist_characters="\r\n\x00"),
                                     max_size=40)),
)
PYTHON_SOURCE = st.lists(STATEMENTS, min_size=1, max_size=6).map(
    lambda lines: ("\n".join(lines) + "\n").encode())

schemathesis.openapi.media_type("text/x-python", PYTHON_SOURCE)
