"""Posting the service's forms and uploads as a browser or an API client would."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from grader.db import get_session
from grader.models import Submission
from tests.support.accounts import csrf_from

# A numerical submission that imports and runs (its gradients are wrong).
GOOD = "def numerical_gradient(f, x, h=1e-6):\n    return x * 0\n"
GOOD_UPLOAD = GOOD.encode()


def submit_form(client, slug="numerical", code=None, file=None):
    """Post the submission form the way the browser does."""
    token = csrf_from(client.get(f"/assignments/{slug}").get_data(as_text=True))
    data = {"csrf_token": token, "code": code or ""}
    if file is not None:
        data["file"] = file
    return client.post(f"/assignments/{slug}/submissions", data=data,
                       content_type="multipart/form-data")


def post_file(client, headers, payload=GOOD_UPLOAD, slug="numerical", field="file"):
    """Upload a submission through the API."""
    return client.post(
        f"/api/v1/assignments/{slug}/submissions",
        data={field: (io.BytesIO(payload), "numerical.py")},
        headers=headers,
        content_type="multipart/form-data",
    )


def count_submissions(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count(Submission.id)))


def set_policy(client, auth, slug="numerical", **fields):
    """Save the policy form as an instructor would."""
    data = {"csrf_token": auth.csrf(f"/instructor/assignments/{slug}/policy"),
            "score_policy": ""} | fields
    return client.post(f"/instructor/assignments/{slug}/policy", data=data)


def import_roster(client, auth, text: str):
    """Upload a roster CSV from the people page."""
    return client.post("/instructor/roster", data={
        "csrf_token": auth.csrf("/instructor/people"),
        "file": (io.BytesIO(text.encode()), "roster.csv"),
    }, content_type="multipart/form-data")
