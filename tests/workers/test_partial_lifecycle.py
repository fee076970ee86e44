"""The partial result on the submission row: written only by the run holding the claim,
and gone once the run ends, whether it graded, failed or was taken over."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from grader.db import get_session
from grader.models import Submission
from workers import lifecycle

STALE = timedelta(seconds=20)
PARTIAL = {"partial": True, "score": 3.0, "max_score": 3.0, "tests": [], "output": "Public",
           "pending_tests": [], "extra_data": {}}
FINAL = {"score": 8.0, "max_score": 10.0, "tests": [], "output": "", "extra_data": {}}


@pytest.fixture
def session(app):
    with app.app_context():
        yield get_session()


def stored(session, submission_id) -> Submission:
    session.expire_all()
    return session.get(Submission, submission_id)


def running(session, make_submission) -> lifecycle.Claim:
    held = lifecycle.claim(session, make_submission(status="queued"), STALE, max_failures=4)
    assert lifecycle.store_partial(session, held, PARTIAL)
    row = stored(session, held.submission_id)
    assert row.partial_result == PARTIAL and row.result is None and row.score is None
    return held


def test_the_final_result_replaces_the_partial_one(session, make_submission):
    held = running(session, make_submission)
    assert lifecycle.finish(session, held, FINAL)
    row = stored(session, held.submission_id)
    assert row.partial_result is None and row.result == FINAL and row.raw_score == 8.0


@pytest.mark.parametrize("final", [True, False], ids=["error", "retried"])
def test_a_failed_grading_clears_the_partial_result(session, make_submission, final):
    held = running(session, make_submission)
    lifecycle.fail(session, held, "the sandbox failed", final=final)
    assert stored(session, held.submission_id).partial_result is None


def test_a_run_that_lost_its_claim_cannot_write_a_partial_result(session, make_submission):
    held = running(session, make_submission)
    assert lifecycle.release_lost(session, held.submission_id, held.token)
    assert stored(session, held.submission_id).partial_result is None
    newer = lifecycle.claim(session, held.submission_id, STALE, max_failures=4)
    assert not lifecycle.store_partial(session, held, PARTIAL)  # the old run's token
    assert stored(session, held.submission_id).partial_result is None
    impostor = dataclasses.replace(newer, token="not-the-token")
    assert not lifecycle.store_partial(session, impostor, PARTIAL)
    assert lifecycle.store_partial(session, newer, PARTIAL)
