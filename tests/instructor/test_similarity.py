"""Similarity flags renamed and reformatted copies, not independent solutions."""

from pathlib import Path

from grader.similarity import find_similar

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "reference/solutions/autodiff/gradient.py").read_text()
STARTER = (ROOT / "assignments/autodiff/starter/gradient.py").read_text()
INDEPENDENT = (ROOT / "tests/grading/alternatives/autodiff_kahn.py").read_text()

# The reference with every name changed, comments dropped and the layout reflowed.
DISGUISED = '''
import autodiff as AD
def gradient(y):
    pend = {y: [AD.ones_like(y)]}
    res = {}
    for n in reversed(AD.topological_sort([y])):
        ps = pend.pop(n, None)
        if not ps:
            res[n] = AD.zeros_like(n)
            continue
        g = AD.sum_node_list(ps)
        res[n] = g
        if not n.inputs:
            continue
        for i, p in zip(n.inputs, n.op.gradient(n, g)):
            if p is not None:
                pend.setdefault(i, []).append(p)
    return res
'''


def test_a_renamed_reformatted_copy_is_flagged_with_spans():
    matches = find_similar({1: REFERENCE, 2: DISGUISED, 3: INDEPENDENT}, starter=STARTER)
    pairs = {(m.first, m.second) for m in matches}
    assert (1, 2) in pairs
    match = next(m for m in matches if (m.first, m.second) == (1, 2))
    assert match.similarity >= 0.8
    assert match.first_spans and match.second_spans
    start, end = match.second_spans[0]
    assert 0 <= start < end <= len(DISGUISED)


def test_independent_solutions_are_not_flagged():
    matches = find_similar({1: REFERENCE, 3: INDEPENDENT}, starter=STARTER)
    assert matches == []


def test_the_starter_alone_is_boilerplate():
    matches = find_similar({1: STARTER, 2: STARTER + "\n# mine\n"}, starter=STARTER)
    assert matches == []
