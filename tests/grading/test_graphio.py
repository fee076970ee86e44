"""Graphs as data (harness/graphio.py): what crosses the sandbox's walls each way.

A round trip must give back a graph that evaluates alike; records made by hostile code must
be refused with GraphFormatError, never rebuilt into something else or crash the judge.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import autodiff as ad
from grader.grading.harness import graphio


def _every_kind_of_node():
    x, y = ad.variable("x", (2, 3)), ad.variable("y", (3,))
    z = ad.reduce_sum(ad.exp(x) * ad.broadcast_to(y, (2, 3)), axis=1, keepdims=True)
    w = ad.matmul(ad.transpose(x), ad.constant(np.arange(4.0).reshape(2, 2), name="c"))
    out = ad.sum_node_list([ad.reduce_sum(z), ad.reduce_sum(ad.mul_const(w, 0.5)),
                            ad.reduce_sum(ad.reshape(ad.log(ad.add_const(x * x, 1.0)), (6,)))])
    feed = {x: np.linspace(-1, 1, 6).reshape(2, 3), y: np.array([0.5, -2.0, 3.0])}
    return out, [x, y], feed


def _round_trip(records):
    return json.loads(json.dumps(records))  # as it travels


def test_a_graph_comes_back_evaluating_alike_with_its_leaves_named_and_shaped():
    out, variables, feed = _every_kind_of_node()
    records, index = graphio.serialize([out])
    nodes = graphio.deserialize(_round_trip(records))
    assert graphio.node_count(records) == len(nodes) == len(index)
    rebuilt = {node: nodes[index[node]] for node in index}
    (expected,) = ad.evaluate([out], feed)
    (received,) = ad.evaluate([rebuilt[out]], {rebuilt[v]: feed[v] for v in variables})
    np.testing.assert_allclose(received, expected)
    assert [(rebuilt[v].name, rebuilt[v].shape) for v in variables] == [("x", (2, 3)),
                                                                         ("y", (3,))]
    assert rebuilt[out].shape == out.shape


def test_new_records_refer_to_known_nodes_by_their_index():
    out, variables, feed = _every_kind_of_node()
    records, index = graphio.serialize([out])
    known = graphio.deserialize(records)
    tripled = ad.mul_const(out, 3.0)
    extra, full = graphio.serialize([tripled], known=index)
    assert graphio.node_count(extra) == 1 and full[tripled] == len(index)
    nodes = graphio.deserialize(_round_trip(extra), known=known)
    renamed = {known[index[v]]: feed[v] for v in variables}
    np.testing.assert_allclose(ad.evaluate([nodes[-1]], renamed)[0],
                               3 * ad.evaluate([out], feed)[0])


def test_only_kit_ops_are_encoded():
    class Mine(ad.Op):
        name = "add"  # a kit op's name does not make it one

    with pytest.raises(graphio.GraphFormatError, match="not a kit op"):
        graphio.serialize([Mine().make_node(ad.variable("x"))])
    with pytest.raises(graphio.GraphFormatError, match="expected a Node"):
        graphio.serialize([np.ones(3)])


def _valid():
    x = ad.variable("x", (3,))
    return graphio.serialize([ad.exp(x) + x])[0]


@pytest.mark.parametrize(("forge", "why"), [
    (lambda r: [r], "must be an object"),
    (lambda r: {**r, "extra": []}, "must be an object"),
    (lambda r: {**r, "op": "0,1,2"}, "must be an object"),
    (lambda r: {**r, "arity": r["arity"][:-1]}, "different nodes"),
    (lambda r: {**r, "op": [-1, *r["op"][1:]]}, "counts"),
    (lambda r: {**r, "op": [True, *r["op"][1:]]}, "counts"),
    (lambda r: {**r, "op": [9, *r["op"][1:]]}, "do not list"),
    (lambda r: {**r, "ops": ["system", *r["ops"][1:]]}, "not a kit op"),
    (lambda r: {**r, "inputs": r["inputs"][:-1]}, "do not match"),
    (lambda r: {**r, "inputs": [5, *r["inputs"][1:]]}, "unknown node"),  # a later node
    (lambda r: {**r, "inputs": [-1, *r["inputs"][1:]]}, "unknown node"),
    (lambda r: {**r, "inputs": [0.0, *r["inputs"][1:]]}, "unknown node"),
    (lambda r: {**r, "attrs": [[7, {}]]}, "pairs"),
    (lambda r: {**r, "names": [[0, ["x"]]]}, "pairs"),
    (lambda r: {**r, "attrs": [[0, {"shape": "big"}]]}, "list of sizes"),
])
def test_forged_records_are_refused(forge, why):
    with pytest.raises(graphio.GraphFormatError, match=why):
        graphio.deserialize(_round_trip(forge(_valid())))


def test_a_graph_too_costly_to_evaluate_is_refused_before_anything_runs():
    x = ad.variable("x", (1,))
    huge = graphio.serialize([ad.broadcast_to(x, (10**5, 10**3))])[0]
    with pytest.raises(graphio.GraphFormatError, match="elements"):
        graphio.deserialize(huge)
    chain = graphio.serialize([ad.exp(ad.exp(ad.exp(x)))])[0]
    with pytest.raises(graphio.GraphFormatError, match="more than 3 nodes"):
        graphio.deserialize(chain, budget=graphio.Budget(max_nodes=3))
