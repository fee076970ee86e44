"""Behavioural similarity: two renamed copies of one bug, which copydetect scores low, are
grouped by their identical wrong values; other mistakes and correct work are not."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from grader.behaviour import group_by_behaviour, side_by_side, signature
from grader.db import get_session
from grader.models import utcnow
from grader.similarity import THRESHOLD, find_similar
from tests.support.apps import ON_BOTH_DATABASES
from tests.support.documents import case, result_document
from tests.support.mistakes import (
    RENAMED_COPY,
    SOURCES,
    add_classmates,
    graded_sources,
    hand_in,
    real_course,
)

WHO = {"alice": "not-summed", "bob": "renamed-copy", "carol": "double-counted", "dave": "solution"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    copy = tmp_path_factory.mktemp("copy") / "gradient.py"
    copy.write_text(RENAMED_COPY)
    return graded_sources({**{name: SOURCES[name] for name in WHO.values() if name in SOURCES},
                           "renamed-copy": copy})


@pytest.fixture
def ids(app, graded):
    app.extensions["grader.course"] = real_course()
    found = {}
    with app.app_context():
        session = get_session()
        add_classmates(session)
        for hours, (username, name) in enumerate(WHO.items(), start=1):
            found[username] = hand_in(session, username, graded[name],
                                      utcnow() - timedelta(hours=hours)).id
        session.commit()
    return found


def test_copydetect_scores_the_rewritten_copy_low(graded):
    first, second = graded["not-summed"][0], graded["renamed-copy"][0]
    matches = find_similar({1: first, 2: second}, threshold=0.0)
    assert not matches or matches[0].similarity < THRESHOLD / 2


def test_the_renamed_copies_share_a_signature_and_nothing_else_does(graded):
    signatures = {name: signature(result) for name, (_, result) in graded.items()}
    assert len(signatures["not-summed"]) >= 10
    assert signatures["not-summed"] == signatures["renamed-copy"]
    assert signatures["double-counted"] != signatures["not-summed"]
    assert signatures["solution"] == frozenset()  # nothing failed: nothing to share
    groups = group_by_behaviour({i: graded[name][1] for i, name in enumerate(graded)})
    names = list(graded)
    assert [[names[i] for i in g.members] for g in groups] == [["not-summed", "renamed-copy"]]


def test_a_signature_is_made_of_wrong_values_only():
    wrong = {"category": "wrong-value", "node": "x",
             "received": {"shape": [2], "values": [1.0, 2.0000000001], "truncated": False}}
    base = [case("t1", "failed", diagnosis=wrong), case("t2"),
            case("t3", "failed", diagnosis={"category": "timeout"})]
    other = dict(wrong, received={"shape": [2], "values": [1.0, 2.5], "truncated": False})
    assert [e.test for e in signature(result_document(base))] == ["t1"]
    # The last digits of a float are noise; a different value is another behaviour.
    near = result_document([case("t1", "failed", diagnosis=dict(
        wrong, received={"shape": [2], "values": [1.0, 2.0], "truncated": False}))])
    assert signature(near) == signature(result_document(base))
    assert signature(result_document([case("t1", "failed", diagnosis=other)])) != signature(near)
    rows = side_by_side(result_document(base), result_document([case("t1", "failed",
                                                                     diagnosis=other)]))
    assert [(r.test, r.same) for r in rows] == [("t1", False)]


@ON_BOTH_DATABASES
def test_the_similarity_page_shows_the_group_beside_copydetect(client, auth, ids):
    auth.login("prof")
    page = client.get("/instructor/assignments/autodiff/similar").get_data(as_text=True)
    # Token similarity does not flag alice and bob at the default threshold (the mutants,
    # made from the reference, may well be flagged with each other) ...
    flagged = re.findall(r"<tr><td>(\w+) \(#\d+\)</td><td>(\w+) \(#\d+\)</td>", page)
    assert ("alice", "bob") not in flagged and ("bob", "alice") not in flagged
    # ... the behaviour does: alice's and bob's submissions, nobody else.
    groups = re.findall(r'data-group="([\d,]+)" data-evidence="(\d+)"', page)
    assert groups and [g for g, _ in groups] == [f"{ids['alice']},{ids['bob']}"]
    assert int(groups[0][1]) >= 10
    score = re.search(rf'data-pair="{ids["alice"]}-{ids["bob"]}" data-code-score="(\d+)"', page)
    assert int(score.group(1)) < THRESHOLD * 100 / 2
    # The evidence side by side: every wrong value is the same.
    compare = client.get(f"/instructor/similar/{ids['alice']}/{ids['bob']}").get_data(as_text=True)
    same = re.findall(r'data-same="(yes|no)"', compare)
    assert len(same) == int(groups[0][1]) and set(same) == {"yes"}
    other = client.get(f"/instructor/similar/{ids['alice']}/{ids['carol']}").get_data(as_text=True)
    assert "no" in re.findall(r'data-same="(yes|no)"', other)


def test_students_cannot_see_behavioural_groups(client, auth, ids):
    auth.login("alice")
    assert client.get("/instructor/assignments/autodiff/similar").status_code == 403
