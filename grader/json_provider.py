"""The API's JSON: strict (no bare NaN), so every client's parser accepts it."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

from grader.grading.results import strict_json


class StrictJSONProvider(DefaultJSONProvider):
    """Write NaN and infinities by name; documents stored before they were made strict too."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(strict_json(obj), **kwargs)
