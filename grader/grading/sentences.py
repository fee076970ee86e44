"""What a student is told about each diagnosis category: the one home of those sentences.

Every judge takes its hint from here (``hint=sentence("wrong-seed")``), the result document
its import hints, and the hint ladder its first rung (grader/hint_ladder.py) unless an
assignment's hints.toml words a category for itself. A test's own message says what is
wrong in that test; the sentence says what holds for any submission that fails alike.

``SENTENCES`` has one sentence per category of outcome.py. ``SITUATIONS`` words a category
again only where a judge meets it in a situation the general sentence would mislead in:
"import" is a file that could not be loaded ({file} and {entry} are filled in by
results.py), "op-gradient" one op's gradient checked by instructor_tests.check_gradient,
"backprop" and "autodiff" those kinds' own steps, the rest name what the judge found.
tests/grading/test_sentences.py holds every category to a sentence and every judge to
these.

A module rather than a data file: the student package ships the judges as modules
(grader/student_wheel.py), and a module needs no reader and no package data beside them.
"""

from __future__ import annotations

SENTENCES: dict[str, str] = {
    # -- a graph's adjoints (diagnosis.py, backprop_cases.py, autodiff_cases.py) -------------
    "adjoint-not-summed": "A node with several consumers receives one partial adjoint from "
                          "each output edge. Sum them all (sum_node_list) before passing the "
                          "adjoint on with node.op.gradient.",
    "wrong-order": "A node's adjoint is complete only once every consumer has sent its partial "
                   "adjoint: visit nodes in reverse topological order.",
    "double-counted": "A partial adjoint was added twice: collect each output edge's partial "
                      "adjoint exactly once, and ask each node's op.gradient once.",
    "missing-adjoint": "node_to_grad needs an entry for every node that out depends on "
                       "(out and the variables included); a node whose adjoint never arrives "
                       "is dropped from the sum.",
    "wrong-seed": "The walk starts from node_to_grad[out] = ones_like(out): "
                  "d sum(out)/d out is 1 in every element, with out's shape.",
    "not-a-graph": "gradient() builds the gradient graph and evaluates nothing: each adjoint "
                   "is a Node computed from out's nodes by op.gradient, summed with "
                   "sum_node_list, starting from ones_like(out).",
    "stale-state": "Keep no state between calls: a module-level dict, or an attribute set on a "
                   "node, leaks into the next call.",
    "recursion-limit": "A recursive walk goes one call deeper per node, and a deep graph "
                       "exceeds Python's recursion limit: walk the graph with a loop and a "
                       "stack of your own.",
    "exponential-graph": "Shared nodes reached along many paths get one gradient subgraph per "
                         "path. Sum each node's partial adjoints once, in reverse topological "
                         "order, before passing its adjoint on.",
    "too-slow": "On graphs this large, work that grows faster than the graph (a list searched "
                "for every node, a graph walked once per node) takes too long.",
    "memory": "Keep one adjoint per node and drop what you no longer need; do not copy arrays "
              "or graphs you only read.",
    "wrong-shape": "An adjoint has the shape of its node; partial adjoints of broadcast inputs "
                   "are already summed back by op.gradient.",
    "wrong-value": "Compare this node's adjoint with the sum of the partial adjoints from its "
                   "consumers; check each op.gradient call's arguments.",
    # -- a numerical gradient (numerical_cases.py) -------------------------------------------
    "forward-difference": "Use the symmetric difference (f(x + h e_i) - f(x - h e_i)) / (2h).",
    "step-size": "Perturb by the h you were given, and divide by 2h.",
    "input-modified": "Perturb a copy of x, or restore each entry from its saved value "
                      "(x[i] = old): x[i] + h - h is not always x[i] in floating point.",
    # -- the run itself (records.py, results.py) ---------------------------------------------
    "syntax-error": "Python could not parse the file: fix the line shown (python -m py_compile "
                    "finds it on your machine).",
    "missing-function": "Define the assignment's function at the top level of your file, with "
                        "the starter file's signature; a typo in its name or an indented def "
                        "hides it.",
    "exception": "Your code raised an exception: its message says which and where; run the "
                 "assignment's public tests (pytest) to see it on your machine.",
    "timeout": "Your code most likely loops forever. Look for a loop whose condition never "
               "changes, or a walk of the graph that keeps revisiting nodes.",
    "crash": "The process running your code died without an answer; run the assignment's "
             "public tests (pytest) to see where it stops on your machine.",
    "memory-limit": "Your code used up the memory limit: look for arrays copied for every node, "
                    "or a list that grows without end.",
    "output-limit": "Your code printed more than a test may: remove debugging prints, above "
                    "all inside loops.",
    "forbidden": "Your code did something a test does not allow (its result was tampered with, "
                 "or a limit was dodged): compute the answer and return it, nothing else.",
    # -- instructor-written tests (tests_cases.py) -------------------------------------------
    "test-failed": "The test's message above says what it expected; run the assignment's "
                   "public tests (pytest) to see the visible ones fail on your machine.",
    "test-error": "This is the course's bug, not yours: the test could not be judged. The "
                  "course staff can see the details in the grader's log; it will be regraded.",
}

# A failed test whose document names no category the catalogue knows (the hints of
# grader/hints.py count it as "unexplained").
UNEXPLAINED = "Read the diagnosis of the first failed test below."

SITUATIONS: dict[str, dict[str, str]] = {
    # Backpropagation (the backprop kind) computes adjoint values with op.vjp on the forward
    # graph's values: the general sentences' op.gradient and sum_node_list are autodiff's.
    "adjoint-not-summed": {
        "backprop": "A node with several consumers receives one partial adjoint from each "
                    "output edge. Sum them all before passing the node's adjoint on with "
                    "op.vjp.",
    },
    "double-counted": {
        "backprop": "A partial adjoint was added twice: add each output edge's partial adjoint "
                    "exactly once, and call each node's op.vjp once.",
    },
    "wrong-seed": {
        "backprop": "The reverse pass starts from node_to_grad[out] = ones shaped like out's "
                    "value: d sum(out)/d out is 1 in every element.",
    },
    "wrong-value": {
        "backprop": "Compare this node's adjoint with the sum of the partial adjoints its "
                    "consumers send it; check the values passed to each op.vjp call.",
        "not-a-dict": "Return node_to_grad: {node: adjoint array} for every node that out "
                      "depends on.",
        "adjoint-not-an-array": "Each adjoint is a numpy array shaped like its node's value, "
                                "as op.vjp returns them.",
        "higher-order": "The adjoints are graph nodes built from ops whose gradient is known, "
                        "so gradient() applies to them again.",
        "op-gradient": "Write the op's local derivative on paper and multiply it by "
                       "output_grad: for matmul the other operand is transposed; for a "
                       "quotient d(a/b)/db = -a/b^2; log's derivative is 1 / its input.",
        "estimate-not-an-array": "Return an array shaped like x.",
        "estimate-not-finite": "f is finite around x, so differences taken with a step h > 0 "
                               "are finite too: look for a division by zero or a step of 0.",
        "estimate": "Perturb one element at a time by +h and -h and divide the difference of "
                    "f by 2h.",
    },
    "wrong-shape": {
        "backprop": "An adjoint has the shape of its node's value; op.vjp already sums the "
                    "partial adjoints of broadcast inputs back to their inputs' shapes.",
        "op-gradient": "A partial adjoint has the shape of its input: where the forward op "
                       "broadcast an input, sum the adjoint back over the broadcast axes "
                       "(sum_like(grad, input), or reduce_sum).",
        "estimate": "The gradient has the shape of x: fill an array made with np.zeros_like(x) "
                    "(or reshape at the end).",
    },
    "not-a-graph": {
        "op-gradient": "gradient(node, output_grad) returns a list with one entry per input of "
                       "node: a Node built from kit ops (or None for an input that has no "
                       "adjoint). It evaluates nothing.",
    },
    "missing-adjoint": {
        "op-gradient": "Every input this op's value depends on needs its partial adjoint; "
                       "None is only for an input that does not change the value.",
    },
    "too-slow": {
        "backprop": "Look for membership tests on lists (`node in visited_list`), list.index "
                    "or list.remove, or a sort redone inside the main loop; use sets and dicts.",
        "autodiff": "Look for list membership tests, list.index or repeated topological sorts "
                    "inside the main loop.",
    },
    "memory": {
        "backprop": "Keep one value and one adjoint per node, and drop each node's list of "
                    "partial adjoints once it is summed; do not copy arrays you only read.",
        "autodiff": "Keep only the adjoints you need; do not copy the graph or store values "
                    "on nodes.",
    },
    "forward-difference": {
        "one-sided": "Central differences call f twice per element of x, at x + h e_i and "
                     "x - h e_i.",
    },
    "step-size": {
        "inconsistent": "Use the same h to perturb x and to divide: "
                        "(f(x + h e_i) - f(x - h e_i)) / (2h).",
    },
    # A file that could not be loaded: said once, above the tests (results.py).
    "syntax-error": {
        "import": "Python could not parse the file: fix the line shown (python -m py_compile "
                  "{file} finds it on your machine).",
    },
    "missing-function": {
        "import": "Define {entry}() at the top level of {file}, with the starter file's "
                  "signature; a typo in its name or an indented def hides it.",
    },
    "exception": {
        "import": "Importing {file} runs its top-level code: keep work inside functions, and "
                  "import only numpy, the standard library and autodiff.",
    },
    "timeout": {
        "import": "Importing {file} runs its top-level code: a loop there never ends, so no "
                  "test could start. Keep work inside functions.",
    },
    "memory-limit": {
        "import": "Importing {file} runs its top-level code, and it used up the memory "
                  "limit. Keep work inside functions.",
    },
}


def sentence(category: str, situation: str | None = None) -> str:
    """The sentence for a category, or for the category in one of its SITUATIONS."""
    if situation is None:
        return SENTENCES[category]
    return SITUATIONS[category][situation]


def worded_in(category: str, situation: str) -> str | None:
    """The category's sentence in the situation when the catalogue words one, else None."""
    return SITUATIONS.get(category, {}).get(situation)
