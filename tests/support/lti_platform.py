"""An LTI 1.3 platform (an LMS, as far as the tool can tell) on 127.0.0.1, for the LTI tests.

Its launches, service tokens and deep-linking checks are the `lti1p3platform` package's (an LTI
1.3 platform implementation the project did not write): it signs id_tokens with its own RSA
key, checks the tool's client assertions and deep-linking answers against the tool's /lti/jwks
over HTTP. What that package leaves to its host (the HTTP server, the gradebook's line items
and scores, the course roster) is here, on PyJWT-signed bearer tokens it issued.

A test drives a person's browser with `launch`: the tool's /lti/login, the platform's
authorization endpoint, the form post of the id_token to /lti/launch, as a browser does.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
AGS_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
FORM = re.compile(r'<form([^>]*)>(.*?)</form>', re.S)
ACTION = re.compile(r'action="([^"]+)"')


def rsa_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class KeyedRegistration(Registration):
    """lti1p3platform's registration, naming its key (kid) in the tokens it signs."""

    kid = "platform-key-1"

    def get_kid(self):
        return self.kid

    def get_jwks(self):
        return [{**Registration.get_jwk(self.get_platform_public_key()), "kid": self.kid}]


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, registration=None, **kwargs):
        self._registration = registration

    def get_registration_by_params(self, **kwargs):
        return self._registration


class PlainRequest(Request):
    def build_metadata(self, request):
        return request


class Launch(LTIAdvantageMessageLaunchAbstract):
    """lti1p3platform's launch: its answer is the auto-posted form a browser receives."""

    def render_launch_form(self, launch_data, **kwargs):
        return ('<form method="post" action="{launch_url}">'
                '<input type="hidden" name="id_token" value="{id_token}">'
                '<input type="hidden" name="state" value="{state}"></form>').format(
                    **{k: html.escape(str(v)) for k, v in launch_data.items()})


@dataclass
class Person:
    subject: str
    name: str
    email: str
    roles: list[str]
    status: str = "Active"


@dataclass
class LineItemRecord:
    id: str
    body: dict
    scores: list[dict] = field(default_factory=list)


class TestPlatform:
    """The platform: its HTTP server, registration with the tool, gradebook and roster."""

    __test__ = False  # a helper, not a test class

    def __init__(self, tool_url: str, client_id: str = "autograder-tool",
                 deployment_id: str = "deployment-1", context_id: str = "course-101"):
        self.tool_url = tool_url
        self.client_id, self.deployment_id, self.context_id = client_id, deployment_id, context_id
        self.private_pem = rsa_private_pem()
        self.kid = "platform-key-1"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.issuer = self.url
        self.people: dict[str, Person] = {}
        self.line_items: dict[str, LineItemRecord] = {}
        self.line_items_created = 0
        self.deep_link_items: list[dict] = []
        self.scores_failing = False  # the score endpoint answers 503 while set
        self.failed_score_posts = 0
        self.jwks_requests = 0
        self.launch_overrides: dict = {}  # claims the next launches carry instead
        self.foreign_key: str | None = None  # sign the next launches with this key instead
        self.pending: dict[str, dict] = {}  # lti_message_hint -> what the launch is
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # What the tool's administrator copies from the LMS.
    @property
    def registration_options(self) -> list[str]:
        return ["--issuer", self.issuer, "--client-id", self.client_id,
                "--deployment-id", self.deployment_id,
                "--auth-login-url", self.url + "/auth", "--token-url", self.url + "/token",
                "--jwks-url", self.url + "/jwks"]

    def registration(self, private_pem: str | None = None) -> KeyedRegistration:
        private = private_pem or self.private_pem
        registration = KeyedRegistration()
        registration.kid = self.kid
        registration = (registration
                        .set_iss(self.issuer)
                        .set_client_id(self.client_id)
                        .set_deployment_id(self.deployment_id)
                        .set_launch_url(self.tool_url + "/lti/launch")
                        .set_deeplink_launch_url(self.tool_url + "/lti/launch")
                        .set_oidc_login_url(self.tool_url + "/lti/login")
                        .set_tool_key_set_url(self.tool_url + "/lti/jwks")
                        .set_platform_private_key(private)
                        .set_platform_public_key(public_pem(private)))
        return registration

    def conf(self, private_pem: str | None = None) -> PlatformConf:
        conf = PlatformConf(registration=self.registration(private_pem))
        conf.get_registration()
        return conf

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def rotate_key(self) -> None:
        """A new key of the platform's own, under a new kid (its JWKS changes with it)."""
        self.private_pem = rsa_private_pem()
        self.kid = f"platform-key-{secrets.token_hex(4)}"

    def add_person(self, subject: str, name: str, email: str, roles: list[str]) -> Person:
        self.people[subject] = Person(subject, name, email, roles)
        return self.people[subject]

    def lineitems_url(self) -> str:
        return f"{self.url}/courses/{self.context_id}/lineitems"

    # A person's browser, through the whole launch.
    def launch(self, browser: requests.Session, subject: str, *, custom: dict | None = None,
               deep_link: bool = False, target: str | None = None,
               new_window: bool = True) -> requests.Response:
        """Launch the tool as the person `subject`; return the tool's answer to the form post."""
        form = self.login(browser, subject, custom=custom, deep_link=deep_link, target=target,
                          new_window=new_window)
        return self.post_form(browser, form)

    def login(self, browser, subject, *, custom=None, deep_link=False, target=None,
              new_window=True) -> dict:
        """Run the OIDC login; return the form (action and fields) the browser would post."""
        answer = browser.get(self.login_url(subject, custom=custom, deep_link=deep_link,
                                            target=target, new_window=new_window), timeout=30)
        answer.raise_for_status()
        return parse_form(answer.text)

    def login_url(self, subject, *, custom=None, deep_link=False, target=None,
                  new_window=True) -> str:
        """The tool's login URL as the LMS sends a person's browser to it."""
        hint = uuid.uuid4().hex
        target = target or self.tool_url + "/lti/launch"
        self.pending[hint] = {"subject": subject, "custom": custom or {}, "deep_link": deep_link,
                              "target": target}
        params = {"iss": self.issuer, "login_hint": subject, "lti_message_hint": hint,
                  "target_link_uri": target,
                  "client_id": self.client_id, "lti_deployment_id": self.deployment_id}
        if new_window:  # the "open in a new window" link the tool's check page gives
            params["lti1p3_new_window"] = "1"
        return self.tool_url + "/lti/login?" + urlencode(params)

    def post_form(self, browser: requests.Session, form: dict) -> requests.Response:
        return browser.post(form["action"], data=form["fields"], timeout=60)

    def scores(self, subject: str | None = None) -> list[dict]:
        with self.lock:
            return [score for item in self.line_items.values() for score in item.scores
                    if subject is None or score["userId"] == subject]

    # The HTTP side.
    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                platform.serve(self, "GET")

            def do_POST(self):
                platform.serve(self, "POST")

        return Handler

    def serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        try:
            status, content_type, payload = self.route(method, url.path, query, body,
                                                       handler.headers)
        except PermissionError as error:
            status, content_type, payload = 401, "text/plain", str(error)
        data = payload if isinstance(payload, str) else json.dumps(payload)
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data.encode())))
        handler.end_headers()
        handler.wfile.write(data.encode())

    def route(self, method, path, query, body, headers):
        form = {k: v[0] for k, v in parse_qs(body).items()} if body else {}
        course = f"/courses/{self.context_id}"
        if path == "/jwks":
            self.jwks_requests += 1
            return 200, "application/json", {"keys": self.registration().get_jwks()}
        if path == "/auth":
            return 200, "text/html", self.authorize(query)
        if path == "/token" and method == "POST":
            return 200, "application/json", self.conf().get_access_token(form)
        if path == "/deep_link_return" and method == "POST":
            items = self.conf().validate_deeplinking_resp(form)
            self.deep_link_items.extend(items)
            return 200, "text/html", "<p>added</p>"
        if path == course + "/memberships":
            self.authorized(headers, [NRPS_SCOPE])
            return 200, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json", {
                "id": self.url + path, "context": {"id": self.context_id},
                "members": [{"user_id": p.subject, "name": p.name, "email": p.email,
                             "roles": p.roles, "status": p.status}
                            for p in self.people.values()]}
        if path == course + "/lineitems":
            self.authorized(headers, AGS_SCOPES)
            if method == "POST":
                return 201, "application/vnd.ims.lis.v2.lineitem+json", self.create_item(body)
            with self.lock:
                items = [item.body for item in self.line_items.values()]
            if "resource_id" in query:
                items = [i for i in items if i.get("resourceId") == query["resource_id"]]
            return 200, "application/vnd.ims.lis.v2.lineitemcontainer+json", items
        match = re.fullmatch(course + r"/lineitems/(\w+)(/scores)?", path)
        if match and match[2] and method == "POST":
            self.authorized(headers, AGS_SCOPES)
            if self.scores_failing:
                with self.lock:
                    self.failed_score_posts += 1
                return 503, "text/plain", "the gradebook is down for maintenance"
            with self.lock:
                self.line_items[match[1]].scores.append(json.loads(body))
            return 200, "application/json", {}
        if match and method == "GET":
            self.authorized(headers, AGS_SCOPES)
            return 200, "application/vnd.ims.lis.v2.lineitem+json", self.line_items[match[1]].body
        return 404, "text/plain", "no such endpoint"

    def authorized(self, headers, scopes) -> None:
        token = (headers.get("Authorization") or "").removeprefix("Bearer ")
        try:
            allowed = self.conf().validate_token(token, allowed_scopes=scopes)
        except Exception as error:
            raise PermissionError(f"bad token: {error}") from error
        if not allowed:
            raise PermissionError("token lacks the scope")

    def create_item(self, body: str) -> dict:
        with self.lock:
            self.line_items_created += 1
            number = str(len(self.line_items) + 1)
            item_id = f"{self.lineitems_url()}/{number}"
            item = {**json.loads(body), "id": item_id}
            self.line_items[number] = LineItemRecord(item_id, item)
        return item

    def authorize(self, query: dict) -> str:
        """The OIDC authorization endpoint: answer the tool's login with a signed launch."""
        pending = self.pending.pop(query.get("lti_message_hint", ""), None)
        if pending is None or query.get("login_hint") != pending["subject"]:
            return "<p>unknown login</p>"
        person = self.people[pending["subject"]]
        conf = self.conf(self.foreign_key)
        launch = Launch(PlainRequest({"method": "GET", "get_data": query, "form_data": {},
                                      "headers": {}, "content_type": None, "path": "/auth",
                                      "json": None}), conf)
        launch.set_launch_url(pending["target"])
        launch.set_user_data(person.subject, person.roles, person.name, person.email)
        launch.set_launch_context_claim(self.context_id, context_title="Autodiff 101")
        launch.set_resource_link_claim("link-" + secrets.token_hex(4))
        if pending["custom"]:
            launch.set_custom_parameters_claim(pending["custom"])
        launch.set_ags(self.lineitems_url())
        launch.set_nrps(f"{self.url}/courses/{self.context_id}/memberships")
        if pending["deep_link"]:
            launch.set_dl(self.url + "/deep_link_return", accept_types={"ltiResourceLink"})
        if self.launch_overrides:
            launch.set_extra_claims(dict(self.launch_overrides))
        return launch.lti_launch()


def parse_form(page: str, marker: str = "") -> dict:
    """The action and hidden fields of the first form on a page whose tag holds marker."""
    for attributes, inside in FORM.findall(page):
        if marker in attributes:
            return {"action": html.unescape(ACTION.search(attributes)[1]),
                    "fields": {name: html.unescape(value)
                               for name, value in HIDDEN_INPUT.findall(inside)}}
    raise AssertionError(f"no form {marker!r} on the page:\n{page[:2000]}")

