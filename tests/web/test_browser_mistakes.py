"""The misconception map, the escalating hints and behavioural similarity in Chromium, at 390 and
1280 px: they fit, pass axe-core, log no error; screenshots land in build/screenshots/ (the
docs' images are copied from there)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grader.db import get_session
from grader.models import utcnow
from tests.support.live import ServerThread
from tests.support.mistakes import (
    RENAMED_COPY,
    SOURCES,
    SPLIT_HOURS,
    add_classmates,
    graded_sources,
    hand_in,
    seed_class,
)
from tests.support.pages import SCREENSHOTS, PageWatcher, axe_script, log_in

WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    copy = tmp_path_factory.mktemp("copy") / "gradient.py"
    copy.write_text(RENAMED_COPY)
    return graded_sources({**SOURCES, "renamed-copy": copy})


@pytest.fixture
def site(app, graded):
    """The seeded class over HTTP, and erin, who handed in a rewritten copy of the bug."""
    now = utcnow()
    ids = seed_class(app, graded, now)
    with app.app_context():
        session = get_session()
        add_classmates(session, ("erin",))
        ids["erin"] = [hand_in(session, "erin", graded["renamed-copy"],
                               now - timedelta(minutes=30)).id]
        session.commit()
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    split = (now - timedelta(hours=SPLIT_HOURS)).strftime("%Y-%m-%d %H:%M")
    yield server.url, ids, split
    server.stop()


def test_the_pages_fit_and_pass_axe(browser, site):
    url, ids, split = site
    axe = axe_script()
    problems = []
    pages = {
        "prof": [
            ("misconceptions", "/instructor/assignments/autodiff/misconceptions"),
            ("misconceptions-split",
             f"/instructor/assignments/autodiff/misconceptions?split={split}"),
            ("misconception-cell",
             "/instructor/assignments/autodiff/misconceptions/adjoint-not-summed/fan-out"),
            ("similar-behaviour", "/instructor/assignments/autodiff/similar"),
            ("compare-behaviour", f"/instructor/similar/{ids['alice'][-1]}/{ids['erin'][0]}"),
        ],
        "alice": [(f"hint-rung-{rung}", f"/submissions/{i}")
                  for rung, i in enumerate(ids["alice"], start=1)],
    }
    for username, paths in pages.items():
        context = browser.new_context()
        watcher = PageWatcher(context, url, axe)
        log_in(watcher.page, url, username)
        role = "student" if username == "alice" else "instructor"
        for name, path in paths:
            for width in WIDTHS:
                problems += watcher.check(path, f"{role}-{name}", width)
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_drawn_graph_marks_one_node_and_scales_to_a_phone(browser, site):
    url, ids, _split = site
    page = browser.new_page(viewport={"width": 390, "height": 900})
    log_in(page, url, "alice")
    page.goto(f"{url}/submissions/{ids['alice'][1]}")
    card = page.locator('[data-hint="adjoint-not-summed"]')
    assert card.get_attribute("data-rung") == "2"
    marked = card.locator("svg g[data-wrong=true]")
    assert marked.count() == 1 and marked.get_attribute("data-node") == "x"
    svg = card.locator("svg").bounding_box()
    assert 0 < svg["width"] <= 390
    # The pictures of the guides (docs/images): the third rung, and the behavioural groups.
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(f"{url}/submissions/{ids['alice'][2]}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section.hints").screenshot(path=SCREENSHOTS / "guide-hints.png")
    page.context.clear_cookies()
    log_in(page, url, "prof")
    page.goto(f"{url}/instructor/assignments/autodiff/similar")
    page.locator("#behaviour").screenshot(path=SCREENSHOTS / "guide-behaviour.png")
    page.close()
