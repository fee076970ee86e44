"""The app's routes as its URL map gives them, for the tests that must reach every one.

A GET route outside the API is opened by the every-page test (a page when it answers HTML,
else a download or JSON that some other test must request); an API route is in the OpenAPI
document, which tests/web/test_api.py and schemathesis check; any other route (a form's POST)
must be requested by some test. tests/web/test_routes_covered.py holds the routes to that.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from werkzeug.routing import Rule

from tests.support.live import REPOSITORY

TESTS = REPOSITORY / "tests"
UNCHECKED_METHODS = {"HEAD", "OPTIONS"}  # Flask answers them for every route


def site_rules(app) -> list[Rule]:
    """Every route of the app but its static files, in URL order."""
    return sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
                  key=lambda rule: rule.rule)


def is_api(rule: Rule) -> bool:
    return rule.endpoint.startswith("api.")


def page_candidates(app) -> list[Rule]:
    """The GET routes outside the API: what a person's browser may open."""
    return [rule for rule in site_rules(app) if not is_api(rule) and "GET" in rule.methods]


def fill(rule: Rule, values: dict[str, object]) -> str:
    """The rule's URL with its arguments taken from values; fail naming the ones missing."""
    missing = sorted(rule.arguments - set(values))
    if missing:
        raise LookupError(f"{rule.rule} ({rule.endpoint}) needs {', '.join(missing)}: give "
                          "seeded values for them in the test's route arguments")
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[^<>:]+:)?{name}>", str(values[name]), url)
    return url


def path_pattern(rule: Rule) -> re.Pattern:
    """A regex matching the rule's path as a test writes it: literally, or with an argument as
    a value or an f-string field, between quotes or after an f-string's base URL."""
    pieces = re.split(r"<[^<>]+>", rule.rule)
    argument = r"(?:\{[^{}]*\}|[^/\s\"'{}?]+)"
    path = argument.join(re.escape(piece) for piece in pieces)
    return re.compile(rf"(?<=[\"'}}]){path}(?=[\"'?{{#])")


@cache
def test_sources(skip: tuple[str, ...]) -> dict[Path, str]:
    """The text of every test module and of the support helpers tests call to make their
    requests (tests/support/), but the named ones."""
    modules = [*TESTS.rglob("test_*.py"), *(TESTS / "support").glob("*.py")]
    return {path: path.read_text(encoding="utf-8") for path in sorted(set(modules))
            if path.name not in skip}


def requested_by(rule: Rule, skip: tuple[str, ...] = ()) -> list[Path]:
    """The test modules that request rule: its path, or its endpoint given to url_for."""
    pattern = path_pattern(rule)
    endpoint = re.compile(rf"[\"']{re.escape(rule.endpoint)}[\"']")
    return [path for path, text in test_sources(skip).items()
            if pattern.search(text) or endpoint.search(text)]
