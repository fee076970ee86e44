"""The instructor's and the student's pages of every assignment answer, whatever its kind.

Pages that read an assignment's cases (the misconception map reads their graph features, the
hints draw the smallest failing visible case) must also serve a kind whose cases are not
graphs (the instructor-written tests of op_gradients): a page, never a server error.
"""

from __future__ import annotations

import pytest

from grader.grading.assignments import load_assignments
from tests.support.documents import result_document

PAGES = [
    "/instructor/assignments/{slug}/misconceptions",
    "/instructor/assignments/{slug}/misconceptions?split=2026-12-01",
    "/instructor/assignments/{slug}/similar",
    "/instructor/assignments/{slug}/policy",
    "/instructor/assignments/{slug}",
]


@pytest.fixture
def course():
    """The course's own assignment folders, every kind among them (not the dated test course)."""
    return dict(load_assignments())


@pytest.mark.parametrize("slug", list(load_assignments()))
def test_every_kind_has_its_pages(client, auth, make_submission, slug):
    assignment = load_assignments()[slug]
    visible = next(case.name for case in assignment.cases() if case.visibility == "visible")
    failing = result_document([{
        "name": visible, "number": 1, "status": "failed", "score": 0.0, "max_score": 1.0,
        "visibility": "visible", "tags": ["wrong-value"], "output": "wrong",
        "extra_data": {"diagnosis": {"category": "wrong-value", "node": "x"}}}])
    submissions = [make_submission("alice", slug=slug, result=failing) for _ in range(3)]
    auth.login("prof")
    for page in PAGES:
        response = client.get(page.format(slug=slug))
        assert response.status_code == 200, (page, response.status_code)
    auth.logout()
    auth.login("alice")  # the third failure in a row: every rung of the hints
    response = client.get(f"/submissions/{submissions[-1]}")
    assert response.status_code == 200
