"""What the LMS talks to: /lti/jwks, /lti/login, /lti/launch, the tool configuration, and the
deep-linking picker an instructor sees when adding an assignment to the LMS course."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlparse

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_user
from flask_wtf.csrf import validate_csrf
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem
from wtforms import ValidationError

from grader import login_sessions
from grader.auth.access import instructor_required
from grader.course import assignments_in_force
from grader.db import get_session
from grader.lti import accounts, keys, passback, registrations
from grader.lti import launch as tool_launch
from grader.security import CONTENT_SECURITY_POLICY

log = logging.getLogger(__name__)
bp = Blueprint("lti", __name__, url_prefix="/lti")
ASSIGNMENT_PARAMETER = "assignment"  # custom parameter (or launch URL query) naming the slug
DEEP_LINK_SESSION = "lti_deep_links"  # the deep-linking launches this browser may answer
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def tool_urls() -> dict[str, str]:
    """The URLs an LMS administrator pastes into the LMS."""
    return {
        "login": url_for("lti.login", _external=True),
        "launch": url_for("lti.launch", _external=True),
        "deep_linking": url_for("lti.launch", _external=True),
        "jwks": url_for("lti.jwks", _external=True),
        "configuration": url_for("lti.configuration", _external=True),
    }


def tool_configuration() -> dict:
    """The tool's configuration in the LTI 1.3 JSON that Canvas reads (and others show)."""
    urls = tool_urls()
    host = urlparse(urls["launch"]).hostname
    return {
        "title": "Autodiff Autograder",
        "description": "Submit autodiff assignments, graded automatically; grades come back.",
        "oidc_initiation_url": urls["login"],
        "target_link_uri": urls["launch"],
        "public_jwk_url": urls["jwks"],
        "scopes": [
            "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
            "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
            "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
        ],
        "extensions": [{
            "domain": host,
            "tool_id": "autodiff-autograder",
            "platform": "canvas.instructure.com",
            "privacy_level": "public",
            "settings": {"placements": [
                {"placement": "assignment_selection", "message_type": "LtiDeepLinkingRequest",
                 "target_link_uri": urls["launch"]},
                {"placement": "link_selection", "message_type": "LtiDeepLinkingRequest",
                 "target_link_uri": urls["launch"]},
            ]},
        }],
        "custom_fields": {},
    }


@bp.get("/jwks")
def jwks():
    """The tool's public keys, for the LMS to check what the tool signs."""
    return jsonify(keys.published(get_session()))


@bp.get("/config.json")
def configuration():
    """The JSON tool configuration (Canvas: "Paste JSON" or "Enter URL")."""
    return jsonify(tool_configuration())


def refused(reason: str, status: int = 403):
    log.info("LTI launch refused: %s", reason)
    return render_template("lti/refused.html", reason=reason), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Step 1 of a launch (OIDC third-party login): send the browser back to the LMS with a
    state and a nonce. Inside a frame that blocks our cookies, a page first offers a new window."""
    db = get_session()
    try:
        oidc = tool_launch.oidc_login(db)
        oidc.enable_check_cookies()
        oidc.cookie_check_template_name = "lti/cookies_check.html"
        return oidc.redirect(url_for("lti.launch", _external=True))
    except (OIDCException, LtiException) as error:
        return refused(str(error), 400)


@bp.post("/launch")
def launch():
    """Step 2: the LMS posts a signed id_token; check it, log its person in, open the page."""
    db = get_session()
    message = tool_launch.message_launch(db)
    try:
        claims = message.get_launch_data()
    except (LtiException, OIDCException) as error:
        db.rollback()
        return refused(str(error))
    platform = registrations.find(db, claims["iss"], message.get_client_id())
    if platform is None:  # pragma: no cover - validated above
        return refused("unknown platform")
    person = accounts.Person.from_launch(claims)
    user = accounts.account_for(db, platform, person)
    context = accounts.context_of(db, platform, claims)
    slug = launched_assignment(claims)
    if context is not None:
        accounts.enrol(db, context, user, person.role)
        ags = claims.get("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint") or {}
        if slug and ags.get("lineitem"):
            passback.remember_line_item(db, context, slug, ags["lineitem"])
    if not user.is_active:  # a linked local account an instructor disabled
        db.commit()
        return refused("Your account here is disabled; ask your instructor.")
    login_sessions.start(db, user, remember=False)
    db.commit()
    login_user(user)
    if message.is_deep_link_launch():
        if not user.is_instructor:
            return refused("Only instructors add assignments to the course.")
        session.setdefault(DEEP_LINK_SESSION, [])
        session[DEEP_LINK_SESSION] = [*session[DEEP_LINK_SESSION][-4:], message.get_launch_id()]
        return redirect(url_for("lti.deep_link", launch_id=message.get_launch_id()))
    return redirect(landing_for(user, slug))



def launched_assignment(claims: dict) -> str | None:
    """The assignment a launch opens: a custom parameter (deep links set it), else the launch
    URL's ?assignment= (a link configured by hand); None for the course's home."""
    custom = claims.get(accounts.CLAIM + "custom") or {}
    slug = custom.get(ASSIGNMENT_PARAMETER)
    if not slug:
        target = claims.get(accounts.CLAIM + "target_link_uri") or ""
        slug = (parse_qs(urlparse(target).query).get(ASSIGNMENT_PARAMETER) or [None])[0]
    return slug if slug in assignments_in_force() else None


def landing_for(user, slug: str | None) -> str:
    if user.is_instructor:
        return url_for("instructor.dashboard", slug=slug) if slug else url_for("instructor.index")
    return url_for("student.assignment", slug=slug) if slug else url_for("student.index")


def deep_link_launch(launch_id: str):
    if launch_id not in session.get(DEEP_LINK_SESSION, []):
        abort(404)
    try:
        return tool_launch.restored_launch(get_session(), launch_id)
    except LtiException:
        abort(404)


@bp.route("/deep-link/<launch_id>", methods=["GET", "POST"])
@instructor_required
def deep_link(launch_id: str):
    """Deep linking: the instructor picks an assignment; the LMS gets a signed link to it."""
    message = deep_link_launch(launch_id)
    assignments = list(assignments_in_force().values())  # in the course's order
    if request.method == "GET":
        return render_template("lti/deep_link.html", assignments=assignments, launch_id=launch_id)
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400)
    chosen = {a.slug: a for a in assignments}.get(request.form.get("assignment", ""))
    if chosen is None:
        return render_template("lti/deep_link.html", assignments=assignments,
                               launch_id=launch_id, error="Pick an assignment."), 400
    resource = (DeepLinkResource().set_url(url_for("lti.launch", _external=True))
                .set_title(chosen.title)
                .set_custom_params({ASSIGNMENT_PARAMETER: chosen.slug})
                .set_lineitem(LineItem().set_label(chosen.title).set_score_maximum(100)
                              .set_resource_id(chosen.slug).set_tag(chosen.slug)))
    token = message.get_deep_link().get_response_jwt([resource])
    return_url = message.get_launch_data()[DEEP_LINKING_SETTINGS]["deep_link_return_url"]
    session[DEEP_LINK_SESSION] = [i for i in session[DEEP_LINK_SESSION] if i != launch_id]
    response = current_app.make_response(render_template(
        "lti/deep_link_return.html", return_url=return_url, token=token, title=chosen.title))
    origin = "{0.scheme}://{0.netloc}".format(urlparse(return_url))
    # This one page posts a form to the LMS: allow that origin as a form target.
    ancestors = current_app.config.get("FRAME_ANCESTORS") or "'none'"
    response.headers["Content-Security-Policy"] = (
        CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")
        + f"; frame-ancestors {ancestors}")
    return response
