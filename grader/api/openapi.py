"""The API's OpenAPI 3.1 document, generated from the routes by apispec.

Each route gives its own description: the path, its methods and path parameters come from the
URL rule; the summary from the view's docstring's first line; who may call it (and so the 401
and 403 answers) from its token decorator; the rest (parameters, body, answers) from the YAML
after `---` in its docstring, naming the marshmallow schemas of grader/api/schemas.py.
"""

from __future__ import annotations

from apispec import APISpec, yaml_utils
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec_webframeworks.flask import FlaskPlugin
from flask import Blueprint, Flask
from marshmallow import fields
from werkzeug.routing import IntegerConverter

from grader.api import schemas  # noqa: F401  (the docstrings name its classes)

DESCRIPTION = (
    "Submit assignments of Backpropagation and Automatic Differentiation and read their "
    "grading. Create a token on your account page or with `autograder token NAME`, then send "
    "`Authorization: Bearer TOKEN`."
)
# The answers every call of an access level can give, whatever it does.
ACCESS_ERRORS = {
    "public": {},
    "token": {"401": "Missing or invalid bearer token."},
    "instructor": {"401": "Missing or invalid bearer token.", "403": "Not an instructor."},
}
UNDOCUMENTED_METHODS = {"HEAD", "OPTIONS"}  # Flask answers them for every route


def path_parameter(rule, name: str) -> dict:
    """Describe a URL rule's argument from its converter (an int's bounds, else a string)."""
    converter = rule._converters[name]  # werkzeug keeps a rule's converters by argument here
    if isinstance(converter, IntegerConverter):
        schema = {"type": "integer", "minimum": converter.min if converter.min is not None else 0}
        if converter.max is not None:
            schema["maximum"] = converter.max
    else:
        schema = {"type": "string"}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def error_answer(description: str) -> dict:
    """An answer with the API's JSON error body."""
    return {"description": description,
            "content": {"application/json": {"schema": "Error"}}}


class RoutePlugin(FlaskPlugin):
    """Describe each Flask route of one blueprint from its rule, decorators and docstring."""

    def __init__(self, blueprint: Blueprint):
        super().__init__()
        self.prefix = blueprint.url_prefix or ""

    def path_helper(self, path=None, operations=None, parameters=None, *, view=None, app=None,
                    **kwargs):
        """Fill operations and parameters for view; return its path below the prefix."""
        rule = self._rule_for_view(view, app=app)
        if not (view.__doc__ or "").strip():
            raise ValueError(f"The API view {view.__name__} has no docstring: its first line is "
                             "the call's summary in the OpenAPI document")
        declared = yaml_utils.load_yaml_from_docstring(view.__doc__) or {}
        summary = view.__doc__.strip().splitlines()[0].rstrip(".")
        access = getattr(view, "api_access", "public")
        for method in sorted(rule.methods - UNDOCUMENTED_METHODS):
            operation = {"summary": summary, **declared}
            answers = {code: error_answer(text) for code, text in ACCESS_ERRORS[access].items()}
            answers |= declared.get("responses", {})
            operation["responses"] = dict(sorted(answers.items()))
            if access == "public":
                operation["security"] = []
            operations[method.lower()] = operation
        parameters.extend(path_parameter(rule, name) for name in sorted(rule.arguments))
        return self.flaskpath2openapi(rule.rule).removeprefix(self.prefix) or "/"


def build_document(app: Flask, blueprint: Blueprint) -> dict:
    """Return the OpenAPI document of blueprint's routes in app (without its servers)."""
    marshmallow = MarshmallowPlugin()
    spec = APISpec(
        title="Autograder API",
        version="1.0.0",
        openapi_version="3.1.0",
        plugins=[RoutePlugin(blueprint), marshmallow],
        info={"description": DESCRIPTION},
        security=[{"bearer": []}],
    )
    marshmallow.converter.map_to_openapi_type(fields.Url, "string", "uri")
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "A personal API token."})
    views = [(rule.rule, app.view_functions[rule.endpoint]) for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith(f"{blueprint.name}.")]
    for _, view in sorted(views, key=lambda pair: pair[0]):
        spec.path(view=view, app=app)
    return spec.to_dict()


def openapi_document(app: Flask, blueprint: Blueprint, server_url: str) -> dict:
    """Return the OpenAPI document for a server at server_url (built once per app)."""
    cache = app.extensions.setdefault("grader.openapi", {})
    if blueprint.name not in cache:
        cache[blueprint.name] = build_document(app, blueprint)
    return {**cache[blueprint.name], "servers": [{"url": server_url}]}
