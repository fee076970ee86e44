"""Hints that escalate: a student's attempts in a row failing alike climb the assignment's
ladder (sentence, then the smallest failing visible graph drawn with the wrong node marked,
then the README's step), and hidden tests never reach a hint."""

from __future__ import annotations

import html
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autodiff as ad
from grader.case_profiles import case_profiles
from grader.grading.assignments import get_assignment, load_assignments
from grader.grading.feedback_text import format_value
from grader.grading.sentences import SENTENCES, UNEXPLAINED
from grader.graph_drawing import draw, layers
from grader.hint_ladder import LadderError, first_rung, load_ladder, parse_ladder
from grader.hints import smallest_example
from grader.models import utcnow
from tests.support.apps import ON_BOTH_DATABASES
from tests.support.mistakes import SOURCES, graded_sources, seed_class

README = get_assignment("autodiff").readme_markdown()


@pytest.fixture(scope="module")
def graded():
    return graded_sources(SOURCES)


@pytest.fixture
def ids(app, graded):
    return seed_class(app, graded, utcnow())


def hint_of(page: str, category: str) -> str:
    """The hint card of one category on a submission page."""
    found = re.search(rf'<div class="hint-card" data-hint="{category}".*?(?=<div class="hint-card"|</section>)',
                      page, re.S)
    assert found, f"no hint for {category}"
    return found.group(0)


def marked_nodes(card: str) -> list[str]:
    svg = re.search(r"<svg.*?</svg>", card, re.S).group(0)
    root = ET.fromstring(svg)
    return [g.get("data-node") for g in root.iter("{http://www.w3.org/2000/svg}g")
            if g.get("data-wrong") == "true"]


def visible_diagnosis(result: dict, test_name: str) -> dict:
    test = next(t for t in result["tests"] if t["name"] == test_name)
    assert test["visibility"] == "visible"
    return test["extra_data"]["diagnosis"]


@ON_BOTH_DATABASES
def test_hints_escalate_at_the_second_and_third_attempt(client, auth, ids, graded):
    auth.login("alice")
    first, second, third = (client.get(f"/submissions/{i}").get_data(as_text=True)
                            for i in ids["alice"])
    # 1st: the category's sentence alone.
    card = hint_of(first, "adjoint-not-summed")
    sentence = first_rung(load_ladder(get_assignment("autodiff").folder), "adjoint-not-summed")
    assert 'data-rung="1"' in card and html.escape(sentence, quote=False) in card
    assert "<svg" not in card and 'data-rung-text="3"' not in card
    # 2nd: the smallest failing visible graph (x * x), its wrong node marked, with its values.
    card = hint_of(second, "adjoint-not-summed")
    assert 'data-rung="2"' in card and 'data-attempts="2"' in card
    assert "<strong>x * x</strong>" in card
    diagnosis = visible_diagnosis(graded["not-summed"][1], "x * x")
    assert marked_nodes(card) == [diagnosis["node"]] == ["x"]
    assert html.escape(format_value(diagnosis["expected"])) in card
    assert html.escape(format_value(diagnosis["received"])) in card
    assert 'data-rung-text="3"' not in card
    # 3rd: and the step of the lecture's algorithm, quoted from the README.
    card = hint_of(third, "adjoint-not-summed")
    assert 'data-rung="3"' in card and "<svg" in card
    assert "grad &lt;- sum partial adjoints from output edges" in card
    assert "grad <- sum partial adjoints from output edges" in README


def test_a_different_mistake_starts_the_ladder_again(client, auth, ids):
    # dave's wrong seed, then a missing sum: the missing sum is a first time.
    auth.login("prof")  # instructors see the hints the student saw
    page = client.get(f"/submissions/{ids['dave'][1]}").get_data(as_text=True)
    assert 'data-rung="1"' in hint_of(page, "adjoint-not-summed")
    seed = client.get(f"/submissions/{ids['dave'][0]}").get_data(as_text=True)
    card = hint_of(seed, "wrong-seed")
    assert 'data-rung="1"' in card


def test_hidden_tests_never_reach_a_hint(client, auth, ids, graded):
    auth.login("alice")
    page = client.get(f"/submissions/{ids['alice'][-1]}").get_data(as_text=True)
    hints = re.search(r'<section class="hints".*?</section>', page, re.S).group(0)
    result = graded["not-summed"][1]
    hidden = [t for t in result["tests"] if t["visibility"] != "visible"]
    assert hidden and [t for t in hidden if t["status"] == "failed"]
    for test in hidden:
        assert f"<strong>{html.escape(test['name'])}</strong>" not in hints
    # Categories only hidden tests fail with (missing-adjoint, wrong-value here) get no hint.
    visible = {c for t in result["tests"] if t["visibility"] == "visible" for c in t["tags"]}
    shown = set(re.findall(r'data-hint="([\w-]+)"', hints))
    assert shown == visible - {""} and "missing-adjoint" not in shown


def test_a_case_hidden_in_cases_py_is_never_drawn_even_if_a_document_says_visible():
    profiles = case_profiles(get_assignment("autodiff"))
    forged = {"name": "MLP loss", "number": "13", "status": "failed", "visibility": "visible",
              "tags": ["adjoint-not-summed"],
              "extra_data": {"diagnosis": {"category": "adjoint-not-summed", "node": "x",
                                           "expected": {"shape": [], "values": [1.0]},
                                           "received": {"shape": [], "values": [2.0]}}}}
    assert profiles["MLP loss"].visibility == "hidden"
    assert smallest_example([forged], profiles) is None


def test_every_assignment_ladder_reads_and_quotes_its_readme():
    for slug, assignment in load_assignments().items():
        ladder = load_ladder(assignment.folder)
        assert ladder, f"{slug} has no hints.toml"
        for rungs in ladder.values():
            assert rungs.quotes


def test_the_first_rung_is_the_catalogues_sentence_unless_the_assignment_words_its_own():
    backprop = load_ladder(get_assignment("backprop").folder)
    # Backprop words the seed for itself (ones shaped like out's value, not ones_like(out)).
    assert backprop["wrong-seed"].sentence
    assert first_rung(backprop, "wrong-seed") == backprop["wrong-seed"].sentence
    assert first_rung(backprop, "wrong-seed") != SENTENCES["wrong-seed"]
    # Its wrong-order table only quotes the README: the catalogue speaks.
    assert backprop["wrong-order"].sentence is None
    assert first_rung(backprop, "wrong-order") == SENTENCES["wrong-order"]
    # A category with no table at all, and a failure that names no category.
    assert "stale-state" not in backprop
    assert first_rung(backprop, "stale-state") == SENTENCES["stale-state"]
    assert first_rung(backprop, "unexplained") == UNEXPLAINED


def test_a_ladder_that_misquotes_the_readme_or_names_no_category_is_refused():
    with pytest.raises(LadderError) as refused:
        parse_ladder('[adjoint-not-summed]\nsentence = "Sum."\nquote = ["sum them all, please"]\n'
                     '[no-such-thing]\nsentence = "x"\n[wrong-order]\nsentnce = "typo"\n',
                     README, "hints.toml")
    message = str(refused.value)
    assert "'sum them all, please' is not in README.md" in message
    assert "[no-such-thing] is not a diagnosis category" in message
    assert "unknown keys ['sentnce']" in message
    with pytest.raises(LadderError, match="not valid TOML"):
        parse_ladder("[unclosed", README)


def test_a_ladder_edit_shows_without_a_restart(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "README.md").write_text("## Steps\n\n```\nseed = ones\n```\n")
    (folder / "hints.toml").write_text('[wrong-seed]\nsentence = "One."\nquote = "seed = ones"\n')
    first = load_ladder(folder)["wrong-seed"]
    assert first.quotes[0].code and first.quotes[0].section == "Steps"
    path = Path(folder / "hints.toml")
    path.write_text('[wrong-seed]\nsentence = "Two."\n')
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert load_ladder(folder)["wrong-seed"].sentence == "Two."


def test_the_drawing_puts_inputs_above_consumers_and_escapes_labels():
    x, w = ad.variable("<script>x</script>", (3,)), ad.variable("w", (3,))
    u = x * w
    out = ad.tanh(u) + u
    order = ad.topological_sort([out])
    row = layers(order, out)
    assert all(row[id(i)] < row[id(n)] for n in order for i in n.inputs)
    svg = str(draw(order, out, u, title="a <b>graph</b>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = ET.fromstring(svg)
    assert root.get("aria-label") == "a <b>graph</b>" and root.get("role") == "img"
    assert [g.get("data-node") for g in root.iter("{http://www.w3.org/2000/svg}g")
            if g.get("data-wrong")] == ["×"]
    assert " id=" not in svg  # several drawings share a page
