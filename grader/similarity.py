"""Flag pairs of submissions whose code is suspiciously alike, MOSS-style.

Uses copydetect (winnowed k-gram fingerprints over Pygments tokens, with identifiers,
literals and formatting normalised away), so renaming variables or reformatting does
not hide a copy. The starter file's fingerprints count as boilerplate.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from copydetect import CodeFingerprint, compare_files

NOISE_TOKENS = 25      # matches shorter than this many tokens are ignored
GUARANTEE_TOKENS = 30  # matches at least this long are always found
THRESHOLD = 0.6        # fraction of a submission's tokens found in the other


@dataclass(frozen=True)
class Match:
    first: int                          # submission ids, first < second
    second: int
    similarity: float                   # the larger of the two fractions below
    first_fraction: float               # of first's tokens found in second
    second_fraction: float
    first_spans: list[tuple[int, int]]  # character ranges of the shared code in each source
    second_spans: list[tuple[int, int]]


def fingerprint(source: str, boilerplate=None) -> CodeFingerprint:
    return CodeFingerprint("submission.py", NOISE_TOKENS, GUARANTEE_TOKENS - NOISE_TOKENS + 1,
                           boilerplate=boilerplate, fp=io.StringIO(source), language="python")


def find_similar(sources: Mapping[int, str], starter: str = "",
                 threshold: float = THRESHOLD) -> list[Match]:
    """Every pair of the given submissions at or above ``threshold``, most alike first."""
    boilerplate = list(fingerprint(starter).hashes) if starter.strip() else None
    prints = {sid: fingerprint(src, boilerplate) for sid, src in sources.items()}
    matches = []
    for (a, print_a), (b, print_b) in itertools.combinations(sorted(prints.items()), 2):
        if not print_a.hashes & print_b.hashes:
            continue
        _, (fraction_a, fraction_b), (slices_a, slices_b) = compare_files(print_a, print_b)
        similarity = float(max(fraction_a, fraction_b))
        if similarity >= threshold:
            matches.append(Match(a, b, similarity, float(fraction_a), float(fraction_b),
                                 _spans(slices_a), _spans(slices_b)))
    return sorted(matches, key=lambda m: (-m.similarity, m.first, m.second))


def _spans(slices) -> list[tuple[int, int]]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return []
    return [(int(start), int(end)) for start, end in zip(slices[0], slices[1])]
