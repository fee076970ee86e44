"""Test cases built on a graph: the part the `autodiff` and `backprop` assignments share."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

import autodiff as ad
from grader.grading.harness import graphio

from .diagnosis import reference_point
from .trusted import engine

SCALE_NODES = 1000  # a graph this large is there to test speed and depth, not values
# A peak may reach memory_ratio times the reference's plus this: a few small arrays and the
# interpreter's own allocations are not a submission's doing.
MEMORY_SLACK = 1 << 20
# A gradient graph may hold max_graph_ratio times the reference's nodes plus this; a growth
# case with no ratio of its own uses the default (a few helper nodes per node is fine,
# one subgraph per path is not).
GRAPH_SLACK, DEFAULT_GRAPH_RATIO = 20, 4.0


@dataclass(frozen=True)
class BuiltGraph:
    order: list[ad.Node]     # forward nodes; position = index in the serialised records
    records: dict            # graphio's columns
    out: int
    variables: list[int]

    @cached_property
    def position(self) -> dict[ad.Node, int]:
        return {node: i for i, node in enumerate(self.order)}


def build_graph(out: ad.Node) -> BuiltGraph:
    records, index = graphio.serialize([out])
    order = sorted(index, key=index.get)
    variables = [i for i, node in enumerate(order) if node.op.name == "variable"]
    return BuiltGraph(order, records, index[out], variables)


@dataclass(eq=False)
class GraphCase:
    """One graph, the checks to run on it, and where its random points come from."""

    name: str
    build: Callable[..., ad.Node]
    points: float = 1.0
    visibility: str = "visible"       # visible | hidden | after_due_date (Gradescope's words)
    description: str = ""
    check: str = "adjoints"           # which harness check runs it
    wrt: str = "all"                  # "all" nodes' adjoints, or only the "variables"
    domains: dict[str, tuple[float, float]] = field(default_factory=dict)
    domain: tuple[float, float] = (-1.5, 1.5)
    chain: tuple = ()                 # higher-order: ((wrt name, projection name or None), ...)
    sizes: tuple = ()                 # growth: build(size) for each size
    time_limit: float = 10.0
    max_graph_ratio: float | None = None  # gradient graph size against the reference's
    memory_ratio: float = 4.0
    n_points: int = 3
    trace: bool = True

    @property
    def timeout_category(self) -> str:
        """What running out of time on this case says about the submission."""
        if self.max_graph_ratio is not None:
            return "exponential-graph"  # the case exists to catch one subgraph per path
        if self.sizes or len(self.graph.order) >= SCALE_NODES:
            return "too-slow"  # the case exists to catch work that outgrows the graph
        return "timeout"

    @cached_property
    def graph(self) -> BuiltGraph:
        return build_graph(self.build())

    @cached_property
    def growth_graphs(self) -> list[BuiltGraph]:
        return [build_graph(self.build(size)) for size in self.sizes]

    # Made once per case: a worker grades many submissions of the same cases.
    def payload(self) -> dict:
        """The case as JSON data for the harness in the sandbox."""
        return self._payload

    @cached_property
    def _payload(self) -> dict:
        return self.make_payload()

    def make_payload(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__}.make_payload")

    @cached_property
    def reference_points(self) -> list[tuple[dict, dict, dict]]:
        """(feed, reference adjoints, partial adjoints) at each of the case's points."""
        graph, adjoint_values = self.graph, engine().adjoint_values
        return [(feed, *reference_point(graph.order, graph.out, feed, adjoint_values))
                for feed in self.feeds()]

    def feeds(self, graph: BuiltGraph | None = None, n: int | None = None) -> list[dict]:
        """Random points away from kinks and domain edges, the same on every run."""
        graph = graph or self.graph
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        points = []
        for _ in range(n or self.n_points):
            feed = {}
            for position in graph.variables:
                node = graph.order[position]
                low, high = self.domains.get(node.name, self.domain)
                feed[node] = rng.uniform(low, high, size=node.shape or ())
            points.append(feed)
        return points

    def snapshot_needs(self) -> list[str]:
        """The cached reference results judging this case reads: what its snapshot carries
        to the student package (grader/grading/snapshots.py)."""
        if self.check == "growth":
            return ["reference_growth"]
        return ["reference_points"] + (["reference_memory"] if self.check == "memory" else [])

    def over_memory(self, peak: int, reference: int) -> bool:
        """Whether a peak of ``peak`` bytes is too much next to the reference's."""
        return peak > self.memory_ratio * reference + MEMORY_SLACK

    def graph_too_large(self, nodes: int, reference: int) -> bool:
        """Whether a gradient graph of ``nodes`` nodes is too large next to the reference's."""
        ratio = DEFAULT_GRAPH_RATIO if self.max_graph_ratio is None else self.max_graph_ratio
        return nodes > ratio * reference + GRAPH_SLACK

    def positions_checked(self, graph: BuiltGraph | None = None) -> set[int]:
        graph = graph or self.graph
        if self.wrt == "variables":
            return set(graph.variables)
        return set(range(len(graph.order)))

    def variable(self, name: str, graph: BuiltGraph | None = None) -> int:
        graph = graph or self.graph
        matches = [i for i in graph.variables if graph.order[i].name == name]
        if len(matches) != 1:
            raise ValueError(f"case {self.name}: {len(matches)} variables named {name!r}")
        return matches[0]

    def encoded_feed(self, feed: dict, graph: BuiltGraph | None = None) -> dict:
        graph = graph or self.graph
        return {str(graph.position[node]): graphio.encode_array(v) for node, v in feed.items()}
