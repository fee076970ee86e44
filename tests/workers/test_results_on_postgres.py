"""A result document holding NaN diagnoses is stored by PostgreSQL and served as strict JSON."""

import json
from datetime import timedelta

from grader.db import get_session
from grader.grading.assignments import get_assignment
from grader.grading.pipeline import grade_submission
from grader.models import Submission, User
from workers import lifecycle

WRONG_SEED = (get_assignment("autodiff").folder / "mutants" / "wrong_seed.py").read_text()


def test_nan_diagnosis_is_stored_in_jsonb_and_served(live_env, web):
    app = web(live_env)
    document = grade_submission("autodiff", WRONG_SEED, public_only=True)
    with app.app_context():
        session = get_session()
        submission = Submission(user=User.by_username(session, "alice"),
                                assignment_slug="autodiff", filename="gradient.py",
                                source=WRONG_SEED, status="queued")
        session.add(submission)
        session.commit()
        claim = lifecycle.claim(session, submission.id, timedelta(seconds=20), 4)
        assert lifecycle.finish(session, claim, document)
        session.expire_all()
        stored = session.get(Submission, submission.id)
        assert stored.status == "graded" and stored.result == document
    response = app.test_client().get(
        f"/api/v1/submissions/{submission.id}",
        headers={"Authorization": f"Bearer {app.tokens['alice']}"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "NaN" in body and json.loads(body, parse_constant=_refuse)["status"] == "graded"


def _refuse(name: str):
    raise AssertionError(f"bare {name} in the API's JSON")
