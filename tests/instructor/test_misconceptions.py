"""The misconception map and the stuck list, from a class whose submissions carry known
misconceptions: the autodiff mutants (each names its category), graded by the real grader."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from grader import misconceptions
from grader.case_profiles import case_profiles
from grader.db import get_session
from grader.grading.assignments import get_assignment
from grader.instructor.misconception_pages import moment_param
from grader.misconceptions import by_student, graded_submissions, streaks, streaks_of
from grader.models import utcnow
from tests.support.apps import ON_BOTH_DATABASES
from tests.support.documents import graded_result
from tests.support.mistakes import SOURCES, SPLIT_HOURS, graded_sources, seed_class


@pytest.fixture(scope="module")
def graded():
    return graded_sources(SOURCES)


@pytest.fixture
def seeded(app, graded):
    now = utcnow()
    ids = seed_class(app, graded, now)
    split = (now - timedelta(hours=SPLIT_HOURS)).strftime("%Y-%m-%d %H:%M")
    return ids, split


def cells(page: str, side: str) -> dict[tuple[str, str], int]:
    """Every counted cell of one map on the page: (category, feature) -> students."""
    return {(category, feature): int(count) for category, feature, count in re.findall(
        rf'data-cell="{side}:([\w-]+):([\w-]+)" data-students="(\d+)"', page)}


def counted(page: str, side: str) -> int:
    return int(re.search(rf'data-map="{side}">\s*<caption>[^:]*: (\d+) student', page).group(1))


def test_streaks_count_attempts_in_a_row_ending_with_the_last():
    assert streaks([{"a"}, {"a", "b"}, {"a", "b"}, {"b"}]) == {"b": 3}
    assert streaks([{"a"}, set(), {"a"}]) == {"a": 1}
    assert streaks([{"a", "b"}, {"a", "b"}]) == {"a": 2, "b": 2}
    assert streaks([]) == {}


@ON_BOTH_DATABASES
def test_streaks_read_documents_only_as_far_back_as_a_streak_goes(app, make_submission,
                                                                  monkeypatch):
    now = utcnow()
    # alice: six "a" then five "b" (newest last); bob: seven "a" in a row.
    for hours, category in enumerate(["a"] * 6 + ["b"] * 5):
        make_submission("alice", result=graded_result(["ok"], {"t": category}),
                        submitted_at=now - timedelta(hours=20 - hours))
    for hours in range(7):
        make_submission("bob", result=graded_result([], {"t": "a"}),
                        submitted_at=now - timedelta(hours=10 - hours))
    read = []
    real = misconceptions.results_of
    monkeypatch.setattr(misconceptions, "results_of",
                        lambda session, ids: read.extend(ids) or real(session, ids))
    with app.app_context():
        session = get_session()
        attempts = by_student(graded_submissions(session, "numerical"))
        found = streaks_of(session, attempts)
        full = {student: streaks([misconceptions.failed_categories(r.result) for r in rows])
                for student, rows in attempts.items()}
    assert found == full == {"alice": {"b": 5}, "bob": {"a": 7}}
    # alice: two pages of four reach past her five b's; three of her a's are never read.
    assert len(read) == 8 + 7 and len(set(read)) == len(read)


def test_cases_carry_the_graph_features_they_are_built_with():
    profiles = case_profiles(get_assignment("autodiff"))
    assert profiles["x * x"].features == ("fan-out", "non-scalar-output")
    assert "shared-interior" in profiles["shared interior node"].features
    assert "higher-order" in profiles["gradient of gradient"].features
    assert "broadcasting" in profiles["broadcasting"].features
    assert "large-graph" in profiles["2,500-node chain"].features
    assert "large-graph" in profiles["linear time"].features  # growth: never built here
    assert profiles["constant ops"].features == ("plain",)
    assert profiles["x * x"].size == 2 and profiles["diamond"].size == 6


@ON_BOTH_DATABASES
def test_the_map_counts_students_by_their_latest_submission(client, auth, seeded):
    ids, _split = seeded
    auth.login("prof")
    page = client.get("/instructor/assignments/autodiff/misconceptions").get_data(as_text=True)
    now = cells(page, "now")
    # alice, bob, carol and dave (the instructor's trial does not count); bob fixed his bug.
    assert counted(page, "now") == 4
    assert now[("adjoint-not-summed", "fan-out")] == 2          # alice, dave
    assert now[("adjoint-not-summed", "higher-order")] == 2
    assert now[("double-counted", "fan-out")] == 1               # carol
    assert not [key for key in now if key[0] == "wrong-seed"]    # dave's old mistake
    assert re.search(r'data-total="now:adjoint-not-summed">2<', page)
    # A cell opens on its students and the smallest case that shows it.
    cell = client.get("/instructor/assignments/autodiff/misconceptions/adjoint-not-summed/fan-out")
    text = cell.get_data(as_text=True)
    assert cell.status_code == 200
    assert set(re.findall(r'data-student="(\w+)"', text)) == {"alice", "dave"}
    assert f'/submissions/{ids["alice"][-1]}"' in text and f'/submissions/{ids["dave"][-1]}"' in text
    assert 'data-smallest="x * x"' in text
    assert re.search(r'<g data-node="x" data-wrong="true">', text)  # alice's wrong node, drawn
    assert client.get("/instructor/assignments/autodiff/misconceptions/nothing/fan-out"
                      ).status_code == 404


@ON_BOTH_DATABASES
def test_before_and_after_a_date(client, auth, seeded):
    _ids, split = seeded
    auth.login("prof")
    response = client.get("/instructor/assignments/autodiff/misconceptions",
                          query_string={"split": split})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    before, after = cells(page, "before"), cells(page, "after")
    # Before: alice and bob had not summed, dave had the wrong seed; carol had not submitted.
    assert counted(page, "before") == 3 and counted(page, "after") == 3
    assert before[("adjoint-not-summed", "fan-out")] == 2
    assert before[("wrong-seed", "non-scalar-output")] == 1
    assert ("double-counted", "fan-out") not in before
    # After: bob fixed it, dave moved on to the missing sum, carol double counts.
    assert after[("adjoint-not-summed", "fan-out")] == 1
    assert after[("double-counted", "fan-out")] == 1
    assert not [key for key in after if key[0] == "wrong-seed"]
    # The change per category, in shares of the students counted on each side.
    changes = re.findall(r'data-change="([\w-]+):(\d+/\d+):(\d+/\d+)"', page)
    assert ("adjoint-not-summed", "2/3", "1/3") in changes
    assert ("wrong-seed", "1/3", "0/3") in changes and ("double-counted", "0/3", "1/3") in changes
    def points(share: str) -> float:
        count, total = map(int, share.split("/"))
        return 100 * count / total

    falls = [points(after) - points(before) for _, before, after in changes]
    assert falls == sorted(falls) and falls[0] < 0 < falls[-1]  # the largest fall first
    link = re.search(r'href="([^"]+)"\s+data-cell="before:wrong-seed:non-scalar-output"', page)
    cell = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r'data-student="(\w+)"', cell) == ["dave"]


def test_a_date_that_is_not_one_is_an_error_on_the_page(client, auth, seeded):
    auth.login("prof")
    dashboard = client.get("/instructor/assignments/autodiff").get_data(as_text=True)
    assert 'href="/instructor/assignments/autodiff/misconceptions"' in dashboard
    # A side of the comparison needs its date.
    assert client.get("/instructor/assignments/autodiff/misconceptions/adjoint-not-summed/"
                      "fan-out?side=before").status_code == 404
    response = client.get("/instructor/assignments/autodiff/misconceptions",
                          query_string={"split": "next tuesday"})
    assert response.status_code == 400
    assert "data-split-error" in response.get_data(as_text=True)
    for typed in ("2026-12-01", "2026-12-01 14:30", "2026-12-01T14:30"):
        moment, error = moment_param(typed)
        assert error is None and moment.tzinfo is not None and moment.day == 1


@ON_BOTH_DATABASES
def test_the_stuck_list_names_students_failing_alike_in_a_row(client, auth, seeded):
    auth.login("prof")
    page = client.get("/instructor/assignments/autodiff/misconceptions").get_data(as_text=True)
    stuck = re.findall(r'data-stuck="(\w+):([\w-]+):(\d+)"', page)
    assert ("alice", "adjoint-not-summed", "3") in stuck
    # Only alice handed in three alike; bob fixed his, dave changed his mistake.
    assert {student for student, _, _ in stuck} == {"alice"}


def test_students_cannot_see_the_map(client, auth, seeded):
    auth.login("alice")
    assert client.get("/instructor/assignments/autodiff/misconceptions").status_code == 403
    assert client.get("/instructor/assignments/autodiff/misconceptions/adjoint-not-summed/"
                      "fan-out").status_code == 403
