"""The demo course has a class of submissions, waiting for the sweep to grade them."""

from sqlalchemy import func, select

from grader.db import get_session
from grader.demo import seed_demo_submissions
from grader.grading.assignments import load_assignments
from grader.models import Submission, User


def test_demo_submissions_are_seeded_once_for_the_sweep(app):
    with app.app_context():
        added = seed_demo_submissions()
        assert added >= 30
        assert seed_demo_submissions() == 0
        session = get_session()
        rows = session.scalars(select(Submission)).all()
        assert {r.status for r in rows} == {"queued"}
        assert all(r.queued_at is None for r in rows)  # the sweep queues them on first run
        assert {r.assignment_slug for r in rows} == set(load_assignments())
        students = session.scalar(select(func.count(func.distinct(Submission.user_id))))
        assert students == 7
        assert User.by_username(session, "carol").name == "Carol Nguyen"
