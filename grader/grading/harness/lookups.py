"""A KeyError on a node of the graph being differentiated, kept as data for the judge.

A submission that looks up a node's list of partial adjoints before (or without) any
arriving raises KeyError with the node as its key. The traceback alone names the node
by its id; the judge can explain it only knowing which node it was, so the harness
reports the node's place in the graph instead of a bare crash.
"""

from __future__ import annotations

from . import graphio


class NodeKeyError(Exception):
    """gradient() raised KeyError on a node of the graph it was asked to differentiate."""

    def __init__(self, details: dict):
        super().__init__("KeyError on a node of the graph")
        self.details = details


def differentiate(gradient, target, known: dict, *args):
    """Call gradient(target, *args); a KeyError on a graph node becomes a NodeKeyError."""
    try:
        return gradient(target, *args)
    except KeyError as exc:
        key = exc.args[0] if len(exc.args) == 1 else None
        if not isinstance(key, graphio.ad.Node):
            raise
        try:
            records, index = graphio.serialize([target], known=known)
        except graphio.GraphFormatError:
            raise exc from None
        if key not in index:
            raise
        raise NodeKeyError({"records": records, "target": index[target],
                            "node": index[key]}) from exc
