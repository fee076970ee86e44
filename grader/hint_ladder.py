"""An assignment's hint ladder: what a student is told on each attempt in a row that fails alike.

The ladder lives in the assignment's folder, `hints.toml` (format: assignments/README.md),
so instructors edit it like the README. Per diagnosis category it gives the README passages
quoted on the third rung: the step of the lecture's algorithm the mistake violates. The first
rung is the category's sentence from the catalogue every judge words its hints with
(grader/grading/sentences.py), unless the assignment's `sentence` overrides it for that
assignment alone (``first_rung``). (The second rung, the smallest failing visible graph
drawn with the wrong node marked, needs no words: grader.hints draws it.) A quote must
appear in the README word for word (whitespace aside), so the ladder cannot drift from the
text students read; a passage inside a fenced code block is shown as code.
"""

from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader.grading.outcome import CATEGORIES
from grader.grading.sentences import SENTENCES, UNEXPLAINED

LADDER_FILE = "hints.toml"
KEYS = {"sentence", "quote"}
FENCE = re.compile(r"^```", re.M)


class LadderError(ValueError):
    """A hints.toml that cannot be used, and why (every problem, with where it is)."""


@dataclass(frozen=True)
class Quote:
    """A passage of the README: its text as written, the section it is in, code or prose."""

    text: str
    section: str
    code: bool


@dataclass(frozen=True)
class Rungs:
    """One category's ladder: the assignment's own first-rung sentence (None: the
    catalogue's), the third rung's quotes."""

    category: str
    sentence: str | None
    quotes: tuple[Quote, ...]


def first_rung(ladder: dict[str, Rungs], category: str) -> str:
    """What the first rung says: the assignment's override, else the catalogue's sentence."""
    rungs = ladder.get(category)
    if rungs is not None and rungs.sentence:
        return rungs.sentence
    return SENTENCES.get(category, UNEXPLAINED)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def locate(readme: str, passage: str) -> Quote | None:
    """Find passage in the README (whitespace aside); None if it is not there."""
    wanted = _squeeze(passage)
    if not wanted:
        return None
    section, in_code = "", False
    blocks: list[tuple[str, bool, str]] = []  # (section, in code, text) per paragraph run
    current: list[str] = []
    for line in readme.splitlines():
        if FENCE.match(line):
            blocks.append((section, in_code, "\n".join(current)))
            current, in_code = [], not in_code
            continue
        if not in_code and line.startswith("#"):
            blocks.append((section, in_code, "\n".join(current)))
            current, section = [], line.lstrip("#").strip()
            continue
        current.append(line)
    blocks.append((section, in_code, "\n".join(current)))
    for section_name, code, text in blocks:
        if wanted in _squeeze(text):
            return Quote(_original(text, wanted) if code else wanted, section_name, code)
    return None


def _original(text: str, wanted: str) -> str:
    """The fewest lines of a code block that hold the passage, with their own spacing kept."""
    lines = text.splitlines()
    for length in range(1, len(lines) + 1):
        for start in range(len(lines) - length + 1):
            chosen = lines[start:start + length]
            if wanted in _squeeze("\n".join(chosen)):
                indent = min(len(line) - len(line.lstrip()) for line in chosen if line.strip())
                return "\n".join(line[indent:] for line in chosen)
    return wanted


def parse_ladder(text: str, readme: str, where: str = LADDER_FILE) -> dict[str, Rungs]:
    """Read a hints.toml against its README; raise LadderError naming every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LadderError(f"{where}: not valid TOML: {error}") from None
    problems, ladder = [], {}
    for category, entry in data.items():
        if category not in CATEGORIES:
            problems.append(f"{where}: [{category}] is not a diagnosis category "
                            f"(grader/grading/outcome.py lists them)")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{where}: [{category}] must be a table with sentence and quote")
            continue
        unknown = set(entry) - KEYS
        if unknown:
            problems.append(f"{where}: [{category}] has unknown keys {sorted(unknown)} "
                            f"(allowed: {sorted(KEYS)})")
        sentence = entry.get("sentence")
        if sentence is not None and (not isinstance(sentence, str) or not sentence.strip()):
            problems.append(f"{where}: [{category}] sentence must be non-empty text")
            sentence = None
        passages = entry.get("quote", [])
        if isinstance(passages, str):
            passages = [passages]
        if not isinstance(passages, list) or not all(isinstance(p, str) for p in passages):
            problems.append(f"{where}: [{category}] quote must be text or a list of texts")
            passages = []
        quotes = []
        for passage in passages:
            found = locate(readme, passage)
            if found is None:
                problems.append(f"{where}: [{category}] quote {passage[:60]!r} is not in "
                                "README.md word for word")
            else:
                quotes.append(found)
        ladder[category] = Rungs(category, sentence, tuple(quotes))
    if problems:
        raise LadderError("\n".join(problems))
    return ladder


_cache: dict[Path, tuple[float, float, dict[str, Rungs]]] = {}
_lock = threading.Lock()


def load_ladder(folder: Path | None) -> dict[str, Rungs]:
    """The ladder of the assignment in folder ({} without a hints.toml); read again when the
    file or the README changes, so an instructor's edit shows on the next page."""
    if folder is None:
        return {}
    path, readme = Path(folder) / LADDER_FILE, Path(folder) / "README.md"
    if not path.is_file():
        return {}
    stamp = (path.stat().st_mtime, readme.stat().st_mtime if readme.is_file() else 0.0)
    with _lock:
        cached = _cache.get(path)
        if cached is None or cached[:2] != stamp:
            text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
            _cache[path] = (*stamp, parse_ladder(path.read_text(encoding="utf-8"), text,
                                                 str(path)))
        return _cache[path][2]
