"""What every page must satisfy in a browser: fits the screen, no console error, no serious
axe-core violation, one h1, unique ids, named table headers. Used by the every-page tests."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support.accounts import PASSWORDS
from tests.support.live import REPOSITORY

AXE_VERSION = "4.14.1"  # pinned: a new axe release may add rules; upgrade on purpose
AXE_DIR = REPOSITORY / "build" / "axe-core"  # git-ignored; npm fills it once
SCREENSHOTS = REPOSITORY / "build" / "screenshots"  # git-ignored; written by every run
AXE_URL_PATH = "/__axe__/axe.min.js"  # served by the test's route, so the page's CSP holds


def log_in(page, site: str, username: str) -> None:
    """Log ``username`` in through the login form, as a person does, and wait for the page."""
    page.goto(site + "/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("input[type=submit]")
    page.wait_for_load_state("load")


def axe_script() -> str:
    """Return axe-core's axe.min.js, installing the pinned version with npm the first time."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    package = AXE_DIR / "node_modules" / "axe-core" / "package.json"
    if not script.exists() or f'"version": "{AXE_VERSION}"' not in package.read_text():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is not installed: the accessibility checks need it for axe-core")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR),
             f"axe-core@{AXE_VERSION}"], capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not script.exists():
            pytest.fail(f"npm could not install axe-core {AXE_VERSION}:\n{done.stderr[-2000:]}")
    return script.read_text()


# Page facts gathered in one evaluation.
FACTS = """() => {
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    h1: document.querySelectorAll('h1').length,
    duplicateIds: [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))],
    emptyHeaders: [...document.querySelectorAll('th')].filter(th => !th.textContent.trim()).length,
    wide: [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                   && !e.closest('.table-scroll, pre, .scroll-box, .highlight'))
      .slice(0, 5).map(e => e.tagName + '.' + e.className),
  };
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


class PageWatcher:
    """Open pages in one browser context, collecting console errors and serving axe-core."""

    def __init__(self, context, site: str, axe: str):
        self.site = site
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.route(f"**{AXE_URL_PATH}", lambda route: route.fulfill(
            body=axe, content_type="application/javascript"))

    def _console(self, message) -> None:
        url = message.location.get("url")
        # An error page's own status (404, a refused form's 400) is logged as a failed load;
        # the status is intended (route tests check it). Anything else the page loads must load.
        if message.type == "error" and not (message.text.startswith("Failed to load resource")
                                            and url == self.page.url):
            self.errors.append(f"console: {message.text} ({url})")

    def check(self, path: str, name: str, width: int) -> list[str]:
        """Load path and return every problem found; write its screenshot."""
        self.errors.clear()
        self.page.set_viewport_size({"width": width, "height": 900})
        self.page.goto(self.site + path)
        return self.inspect(path, name, width)

    def inspect(self, path: str, name: str, width: int) -> list[str]:
        """Return every problem of the page shown now (reached at path); write its screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        problems = []
        facts = page.evaluate(FACTS)
        if facts["scrollWidth"] > facts["innerWidth"]:
            problems.append(f"page is {facts['scrollWidth']} px wide at {width} px: "
                            f"{facts['wide']}")
        if facts["h1"] != 1:
            problems.append(f"{facts['h1']} h1 elements")
        if facts["duplicateIds"]:
            problems.append(f"duplicate ids {facts['duplicateIds']}")
        if facts["emptyHeaders"]:
            problems.append(f"{facts['emptyHeaders']} empty table headers")
        page.add_script_tag(url=self.site + AXE_URL_PATH)
        for violation in page.evaluate(AXE_RUN):
            problems.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} "
                            f"{violation['targets']}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        problems += self.errors
        return [f"{name} ({path}) at {width} px: {p}" for p in problems]
