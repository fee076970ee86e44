"""The `autodiff` assignment's cases: what goes into the sandbox and how the answer is judged.

The submission's gradient graph comes back as data and is evaluated here, by the
trusted engine, at random points the submission never sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import autodiff as ad
from reference import solutions
from reference.profiling import measure_memory
from workers.harness import graphio

from .diagnosis import PointValues, diagnose, first_wrong
from .graph_cases import GraphCase, build_graph
from .outcome import Outcome, close, errors, failed, passed, preview


def _reference_gradient():
    return solutions.load("autodiff").gradient


def gradient_graph_size(out: ad.Node) -> int:
    return len(ad.topological_sort(_reference_gradient()(out).values()))


@dataclass(eq=False)
class AutodiffCase(GraphCase):
    # -- into the sandbox ------------------------------------------------------------
    def make_payload(self) -> dict:
        payload = {"check": self.check, "time_limit": self.time_limit}
        if self.check == "growth":
            payload["graphs"] = [{"records": g.records, "out": g.out, "wrt": g.variables}
                                 for g in self.growth_graphs]
            return payload
        graph = self.graph
        payload.update(graph=graph.records, out=graph.out, trace=self.trace)
        if self.wrt == "variables":
            payload["wrt"] = graph.variables
        if self.check == "higher-order":
            payload["chain"] = [[self.variable(w), None if p is None else self.variable(p)]
                                for w, p in self.chain]
        if self.check == "memory":
            payload["wrt"] = graph.variables
            payload["feed"] = self.encoded_feed(self.feeds(n=1)[0])
        return payload

    # -- out of the sandbox ------------------------------------------------------------
    def judge(self, record: dict) -> Outcome:
        if "not_a_graph" in record:
            return failed("not-a-graph", "gradient() must return a dict mapping each node to a "
                          f"Node of the gradient graph: {record['not_a_graph']}.")
        judge = {"adjoints": self._judge_adjoints, "repeat": self._judge_repeat,
                 "higher-order": self._judge_higher_order, "growth": self._judge_growth,
                 "memory": self._judge_memory}[self.check]
        try:
            return judge(record)
        except graphio.GraphFormatError as exc:
            return failed("not-a-graph", f"the returned gradient graph was refused: {exc}.")
        except ad.EvaluationError as exc:
            return failed("not-a-graph", f"the returned gradient graph cannot be evaluated: "
                          f"{exc}.")

    def _student_nodes(self, record, key="adjoints"):
        nodes = graphio.deserialize(record["records"], known=self.graph.order)
        return nodes, {int(k): nodes[v] for k, v in record[key].items()}

    @cached_property
    def reference_growth_sizes(self) -> list[int]:
        return [gradient_graph_size(g.order[g.out]) for g in self.growth_graphs]

    @cached_property
    def reference_graph_size(self) -> int:
        return gradient_graph_size(self.graph.order[self.graph.out])

    @cached_property
    def reference_memory(self) -> tuple[int, int]:
        """Peak bytes of the reference's gradient() and of evaluating its variables' adjoints."""
        graph = build_graph(self.build())  # fresh nodes, so nothing is cached on them
        out = graph.order[graph.out]
        feed = self.feeds(graph, n=1)[0]  # the same point the sandbox was given
        gradient = measure_memory(_reference_gradient(), out)
        wanted = [gradient.result[graph.order[p]] for p in graph.variables]
        return gradient.peak_bytes, measure_memory(ad.evaluate, wanted, feed).peak_bytes

    def _judge_adjoint_values(self, adjoint_nodes: dict, trace) -> Outcome | None:
        graph, wanted = self.graph, self.positions_checked()
        positions = list(adjoint_nodes)
        for feed, expected, partials in self.reference_points:
            received = dict(zip(positions, ad.evaluate([adjoint_nodes[p] for p in positions],
                                                       feed)))
            point = PointValues(graph.order, graph.out, expected, partials, received, trace)
            wrong = first_wrong(point, wanted)
            if wrong is not None:
                return diagnose(point, wrong)
        return None

    def _judge_adjoints(self, record) -> Outcome:
        nodes, adjoint_nodes = self._student_nodes(record)
        trace = [(position, None) for position, _ in record.get("trace", [])]
        wrong = self._judge_adjoint_values(adjoint_nodes, trace)
        if wrong is not None:
            return wrong
        if self.max_graph_ratio is not None:
            size = len(ad.topological_sort(adjoint_nodes.values()))
            reference = self.reference_graph_size
            if size > self.max_graph_ratio * reference + 20:
                return failed("exponential-graph",
                              f"the gradient graph has {size} nodes; the reference builds "
                              f"{reference}. Sum each node's partial adjoints once instead of "
                              f"propagating every path separately.",
                              received_nodes=size, expected_nodes=reference)
        return passed(f"all adjoints match at {self.n_points} random points")

    def _judge_repeat(self, record) -> Outcome:
        nodes, first = self._student_nodes(record)
        wrong = self._judge_adjoint_values(first, [])
        if wrong is not None:
            return wrong
        second = {int(k): nodes[v] for k, v in record["second_adjoints"].items()}
        wrong = self._judge_adjoint_values(second, [])
        if wrong is not None:
            return failed("stale-state", "the second call of gradient() on the same graph "
                          f"gave a different answer ({wrong.message}). Keep no state between "
                          "calls: module-level dicts or attributes set on nodes leak into the "
                          "next call.", **{k: v for k, v in wrong.diagnosis.items()
                                           if k != "category"})
        return passed("the same call twice gives the same adjoints")

    def _judge_higher_order(self, record) -> Outcome:
        if "missing" in record:
            return failed("missing-adjoint",
                          f"node_to_grad has no adjoint for {record['missing']}.")
        graph = self.graph
        nodes = graphio.deserialize(record["records"], known=graph.order)
        received_node = nodes[record["result"]]
        target = graph.order[graph.out]
        for wrt, projection in self.chain:
            target = _reference_gradient()(target)[graph.order[self.variable(wrt)]]
            if projection is not None:
                target = ad.reduce_sum(target * graph.order[self.variable(projection)])
        for feed in self.feeds():
            received, expected = ad.evaluate([received_node, target], feed)
            if not close(received, expected):
                abs_error, rel_error = errors(received, expected)
                order = len(self.chain)
                return failed("wrong-value", f"the derivative of order {order} is wrong: "
                              "gradient() must work on its own output graph.",
                              expected=preview(expected), received=preview(received),
                              abs_error=abs_error, rel_error=rel_error,
                              hint="The adjoints are graph nodes built from ops whose gradient "
                                   "is known, so gradient() applies to them again.")
        return passed(f"derivative of order {len(self.chain)} matches")

    def _judge_growth(self, record) -> Outcome:
        runs = record["runs"]
        for run, reference in zip(runs, self.reference_growth_sizes):
            if run["gradient_nodes"] > (self.max_graph_ratio or 4) * reference + 20:
                return failed("exponential-graph", f"on {run['nodes']} nodes the gradient graph "
                              f"has {run['gradient_nodes']} nodes; the reference builds "
                              f"{reference}.", received_nodes=run["gradient_nodes"],
                              expected_nodes=reference)
        (small, large) = runs[0], runs[-1]
        size_ratio = large["nodes"] / small["nodes"]
        time_ratio = large["seconds"] / max(small["seconds"], 1e-4)
        if large["seconds"] > 0.05 and time_ratio > 2.5 * size_ratio:
            return failed("too-slow", f"{size_ratio:.0f}x more nodes took {time_ratio:.0f}x "
                          f"longer ({small['seconds']:.3f} s -> {large['seconds']:.3f} s): "
                          "gradient() should be linear in the graph size.",
                          hint="Look for list membership tests, list.index or repeated "
                               "topological sorts inside the main loop.",
                          seconds=[small["seconds"], large["seconds"]])
        return passed(f"{size_ratio:.0f}x more nodes took {time_ratio:.1f}x longer")

    def _judge_memory(self, record) -> Outcome:
        nodes, adjoint_nodes = self._student_nodes(record)
        wrong = self._judge_adjoint_values(adjoint_nodes, [])
        if wrong is not None:
            return wrong
        gradient_peak, evaluate_peak = self.reference_memory
        used = record["memory"]
        slack = 1 << 20
        for label, got, reference in [
            ("gradient()", used["gradient_peak"], gradient_peak),
            ("evaluating the gradient graph", used["evaluate_peak"], evaluate_peak),
        ]:
            if got > self.memory_ratio * reference + slack:
                return failed("memory", f"{label} peaked at {got / 2**20:.1f} MiB; the "
                              f"reference needs {reference / 2**20:.1f} MiB.",
                              hint="Keep only the adjoints you need; do not copy the graph "
                                   "or store values on nodes.",
                              received_bytes=got, expected_bytes=reference)
        ratio = used["gradient_peak"] / max(gradient_peak, 1)
        return passed(f"peak memory {ratio:.1f}x the reference's")
