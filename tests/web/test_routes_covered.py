"""Every route is checked by some test, and every view written is routed.

The routes come from the app's URL map, the views from the source: a new route needs no list
edited here, and a page module the blueprint forgets to import fails here, not as a silent 404.
"""

from __future__ import annotations

import ast
import inspect

from tests.support.live import REPOSITORY
from tests.support.routes import (
    UNCHECKED_METHODS,
    fill,
    is_api,
    page_candidates,
    path_pattern,
    requested_by,
    site_rules,
)

ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
# What this module and the every-page test request is not coverage of a route's behaviour.
NOT_COVERAGE = ("test_routes_covered.py", "test_every_page.py")


def test_every_route_is_checked_by_some_test(app, client):
    """An API route is in the OpenAPI document (test_api.py and schemathesis check it); a GET
    route is opened by the every-page test; any other is requested by some test module."""
    documented = {
        (path, method.upper())
        for path, item in client.get("/api/v1/openapi.json").json["paths"].items()
        for method in item if method != "parameters"
    }
    pages = {rule.endpoint for rule in page_candidates(app)}
    unchecked = []
    for rule in site_rules(app):
        methods = rule.methods - UNCHECKED_METHODS
        if is_api(rule):
            path = fill(rule, {name: "{" + name + "}" for name in rule.arguments})
            unchecked += [f"{method} {rule.rule}: not in the OpenAPI document"
                          for method in methods
                          if (path.removeprefix("/api/v1"), method) not in documented]
            continue
        others = methods - ({"GET"} if rule.endpoint in pages else set())
        if others and not requested_by(rule, NOT_COVERAGE):
            unchecked.append(f"{', '.join(sorted(others))} {rule.rule} ({rule.endpoint}): no "
                             "test requests it")
    assert unchecked == []


def test_the_check_finds_how_tests_write_paths():
    from werkzeug.routing import Map, Rule

    rule = Rule("/instructor/users/<int:user_id>/<any(disable, enable):change>")
    Map([rule])
    pattern = path_pattern(rule)
    assert pattern.search('client.post(f"/instructor/users/{ids[\'bob\']}/disable")')
    assert pattern.search('f"{url}/instructor/users/2/enable?x=1"')
    assert not pattern.search('"/instructor/users/2"')
    assert not pattern.search('"/instructor/users/2/disable/more"')


def routed_views(package: str) -> set[tuple[str, str]]:
    """(module, function) of every function under grader/<package> decorated as a route."""
    found = set()
    for path in sorted((REPOSITORY / "grader" / package).rglob("*.py")):
        module = ".".join(path.relative_to(REPOSITORY).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr in ROUTE_DECORATORS
                    and isinstance(decorator.func.value, ast.Name)
                    and decorator.func.value.id == "bp"
                    for decorator in node.decorator_list):
                found.add((module, node.name))
    return found


def test_every_view_written_is_routed(app):
    """A page module that its blueprint's package forgets to import has its routes nowhere:
    here that is a failure naming them, not a 404 in production."""
    served = {(inspect.unwrap(view).__module__, inspect.unwrap(view).__name__)
              for endpoint, view in app.view_functions.items() if endpoint != "static"}
    written = set().union(*(routed_views(package)
                            for package in ("instructor", "student", "auth", "api")))
    assert len(written) > 30
    assert written - served == set()
