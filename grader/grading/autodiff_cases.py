"""The `autodiff` assignment's cases: what goes into the sandbox and how the answer is judged.

The submission's gradient graph comes back as data and is evaluated here, by the
trusted engine, at random points the submission never sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import autodiff as ad
from autodiff.evaluate import peak_bytes
from grader.grading.harness import graphio, protocol

from .diagnosis import (
    PointValues,
    diagnose,
    explain_key_error,
    first_wrong,
    node_names,
)
from .graph_cases import GraphCase, build_graph
from .growth import judge_growth, retiming_rule
from .naming import NodeNames
from .outcome import Outcome, close, errors, failed, passed, preview
from .sentences import sentence
from .trusted import engine, measure_memory


def _reference_gradient():
    return engine().gradient_graph


def gradient_graph_size(out: ad.Node) -> int:
    return len(ad.topological_sort(_reference_gradient()(out).values()))


@dataclass(eq=False)
class AutodiffCase(GraphCase):
    # -- into the sandbox ------------------------------------------------------------
    def make_payload(self) -> dict:
        payload = {"check": self.check, "time_limit": self.time_limit}
        if self.check == "growth":
            last = len(self.growth_graphs) - 1
            payload["graphs"] = [{"records": g.records, "nodes": len(g.order), "out": g.out,
                                  "wrt": g.variables, "checked": i == last}
                                 for i, g in enumerate(self.growth_graphs)]
            payload.update(retiming_rule())  # a large graph that looks slow is timed again
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
        return payload

    def snapshot_needs(self) -> list[str]:
        if self.check == "growth":
            return ["reference_growth_sizes", "reference_growth"]
        wanted = super().snapshot_needs()
        if self.check == "higher-order":
            wanted.append("higher_order_expected")
        if self.check == "adjoints" and self.max_graph_ratio is not None:
            wanted.append("reference_graph_size")
        return wanted

    # -- out of the sandbox ------------------------------------------------------------
    def judge(self, record: dict) -> Outcome:
        try:
            return self._judge(record)
        except graphio.GraphFormatError as exc:
            return failed("not-a-graph", f"the returned gradient graph was refused: {exc}.")
        except ad.EvaluationError as exc:
            return failed("not-a-graph", f"the returned gradient graph cannot be evaluated: "
                          f"{exc}.")

    def _judge(self, record: dict) -> Outcome:
        if "key_error" in record:
            return self._judge_key_error(record["key_error"])
        if self.check == "higher-order":
            # A wrong first derivative explains a wrong derivative of any higher order.
            wrong = self._wrong_first_derivatives(record.get("first"))
            if wrong is not None:
                return wrong
        if "not_a_graph" in record or record.get("foreign"):
            return failed("not-a-graph", "gradient() must return a dict mapping each node to a "
                          f"Node of the gradient graph: {self._not_nodes(record)}.",
                          hint=sentence("not-a-graph"))
        judge = {"adjoints": self._judge_adjoints, "repeat": self._judge_repeat,
                 "higher-order": self._judge_higher_order, "growth": self._judge_growth,
                 "memory": self._judge_memory}[self.check]
        return judge(record)

    def _not_nodes(self, record) -> str:
        """What the harness found that is not a Node, with the forward nodes named."""
        problems = [str(record["not_a_graph"])] if "not_a_graph" in record else []
        if record.get("foreign"):
            graph = self.graph
            names = NodeNames(graph.order, graph.order[graph.out])
            problems += [f"the adjoint of {names.name(graph.order[position])} is a "
                         f"{str(kind)[:40]}, not a Node"
                         for position, kind in record["foreign"][:3]]
        return "; ".join(problems)

    def _student_nodes(self, record, key="adjoints"):
        nodes = graphio.deserialize(record["records"], known=self.graph.order)
        return nodes, {int(k): nodes[v] for k, v in record[key].items()}

    @cached_property
    def reference_growth(self) -> list[dict[int, object]]:
        """The reference's adjoints of each growth graph's variables, at the graph's point."""
        values = []
        for graph in self.growth_graphs:
            adjoints = _reference_gradient()(graph.order[graph.out])
            wanted = [adjoints[graph.order[p]] for p in graph.variables]
            values.append(dict(zip(graph.variables,
                                   ad.evaluate(wanted, self.feeds(graph, n=1)[0]))))
        return values

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
        return gradient.peak_bytes, evaluation_peak(wanted, feed)

    def _judge_adjoint_values(self, adjoint_nodes: dict, trace) -> Outcome | None:
        graph, wanted = self.graph, self.positions_checked()
        positions = list(adjoint_nodes)
        points = []
        for feed, expected, partials in self.reference_points:
            received = dict(zip(positions, ad.evaluate([adjoint_nodes[p] for p in positions],
                                                       feed)))
            points.append(PointValues(graph.order, graph.out, expected, partials, received,
                                      trace))
        for point in points:
            wrong = first_wrong(point, wanted)
            if wrong is not None:
                return (_constant_adjoint(points, wrong, adjoint_nodes.get(wrong))
                        or diagnose(point, wrong))
        return None

    def _judge_key_error(self, key_error: dict) -> Outcome:
        nodes = graphio.deserialize(key_error["records"], known=self.graph.order)
        return explain_key_error(nodes[key_error["target"]], nodes[key_error["node"]],
                                 str(key_error.get("message", ""))[:4000])

    def _judge_adjoints(self, record) -> Outcome:
        nodes, adjoint_nodes = self._student_nodes(record)
        trace = [(position, None) for position, _ in record.get("trace", [])]
        wrong = self._judge_adjoint_values(adjoint_nodes, trace)
        if wrong is not None:
            return wrong
        if self.max_graph_ratio is not None:
            size = len(ad.topological_sort(adjoint_nodes.values()))
            reference = self.reference_graph_size
            if self.graph_too_large(size, reference):
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
        order = len(self.chain)
        if "missing" in record:
            return failed("missing-adjoint",
                          f"node_to_grad has no adjoint for {record['missing']}.")
        graph = self.graph
        nodes = graphio.deserialize(record["records"], known=graph.order)
        received_node = nodes[record["result"]]
        for feed, expected in zip(self.feeds(), self.higher_order_expected):
            (received,) = ad.evaluate([received_node], feed)
            if not close(received, expected):
                abs_error, rel_error = errors(received, expected)
                return failed("wrong-value", f"the derivative of order {order} is wrong, "
                              "although the first derivatives are right: gradient() must work "
                              "on its own output graph as well.",
                              expected=preview(expected), received=preview(received),
                              abs_error=abs_error, rel_error=rel_error,
                              hint=sentence("wrong-value", "higher-order"))
        return passed(f"derivative of order {order} matches")

    def _wrong_first_derivatives(self, first) -> Outcome | None:
        if not isinstance(first, dict) or "adjoints" not in first:
            return None
        _, first_adjoints = self._student_nodes(first)
        wrong = self._judge_adjoint_values(first_adjoints, [])
        if wrong is None:
            return None
        return failed(wrong.category, f"the derivative of order {len(self.chain)} is wrong "
                      f"because the first derivatives already are: {wrong.message}",
                      **{k: v for k, v in wrong.diagnosis.items() if k != "category"})

    @cached_property
    def higher_order_expected(self) -> list:
        """The reference's derivative along the chain, at each of the case's points."""
        graph = self.graph
        target = graph.order[graph.out]
        for wrt, projection in self.chain:
            target = _reference_gradient()(target)[graph.order[self.variable(wrt)]]
            if projection is not None:
                target = ad.reduce_sum(target * graph.order[self.variable(projection)])
        return [ad.evaluate([target], feed)[0] for feed in self.feeds()]

    def _judge_growth(self, record) -> Outcome:
        """The largest graph's gradient graph, rebuilt here from what the process handed
        back, must give the reference's adjoints, and is counted here: its time counts only
        for a graph that was really built. (The smaller graphs' times can only count against
        the submission: a faster one makes the large one look slower.)"""
        runs = record["runs"]
        checked = list(zip(runs, self.growth_graphs, self.reference_growth_sizes,
                           self.reference_growth))[-1:]
        for run, graph, size, expected in checked:
            built = run["gradient_graph"]
            try:
                nodes = graphio.deserialize(built["records"], known=graph.order)
                adjoints = {int(k): nodes[v] for k, v in built["adjoints"].items()}
            except (graphio.GraphFormatError, IndexError, TypeError, ValueError) as exc:
                return failed("not-a-graph", f"on {run['nodes']} nodes, the gradient graph "
                              f"handed back is not one: {exc}")
            received = len(ad.topological_sort(list(adjoints.values())))
            if self.graph_too_large(received, size):
                return failed("exponential-graph", f"on {run['nodes']} nodes the gradient graph "
                              f"has {received} nodes; the reference builds {size}.",
                              received_nodes=received, expected_nodes=size)
            names = NodeNames(graph.order, graph.order[graph.out])
            missing = [p for p in expected if p not in adjoints]
            if missing:
                name = names.name(graph.order[missing[0]])
                return failed("missing-adjoint", f"on {run['nodes']} nodes there is no adjoint "
                              f"for {name}.", node=name)
            values = ad.evaluate([adjoints[p] for p in expected], self.feeds(graph, n=1)[0])
            for (position, value), got in zip(expected.items(), values):
                if not close(got, value):
                    name = names.name(graph.order[position])
                    abs_error, rel_error = errors(got, value)
                    return failed("wrong-value", f"on {run['nodes']} nodes the adjoint of "
                                  f"{name} is wrong.", node=name, expected=preview(value),
                                  received=preview(got), abs_error=abs_error,
                                  rel_error=rel_error)
        return judge_growth(runs[0], runs[-1], hint=sentence("too-slow", "autodiff"))

    def _judge_memory(self, record) -> Outcome:
        """gradient()'s peak against the reference's, measured alike (from outside the
        process in the grader: the record carries the reference's figure; by tracemalloc on
        a student's machine), then the peak of evaluating the graph it built, worked out here
        on a trusted copy of it against the reference's graph (``evaluation_peak``)."""
        nodes, adjoint_nodes = self._student_nodes(record)
        wrong = self._judge_adjoint_values(adjoint_nodes, [])
        if wrong is not None:
            return wrong
        reference_gradient, reference_evaluate = self.reference_memory
        used = record["memory"]
        if used.get("method") == protocol.RSS:
            reference_gradient = used["reference_peak"]
        graph = self.graph
        wanted = [adjoint_nodes[p] for p in graph.variables if p in adjoint_nodes]
        evaluate_peak = evaluation_peak(wanted, self.feeds(n=1)[0])
        for label, got, reference in [
            ("gradient()", used["gradient_peak"], reference_gradient),
            ("evaluating the gradient graph", evaluate_peak, reference_evaluate),
        ]:
            if self.over_memory(got, reference):
                return failed("memory", f"{label} peaked at {got / 2**20:.1f} MiB; the "
                              f"reference needs {reference / 2**20:.1f} MiB.",
                              hint=sentence("memory", "autodiff"),
                              received_bytes=got, expected_bytes=reference)
        ratio = used["gradient_peak"] / max(reference_gradient, 1)
        return passed(f"peak memory {ratio:.1f}x the reference's")


def evaluation_peak(nodes: list, feed: dict) -> int:
    """The most bytes of values evaluating ``nodes`` holds at once: worked out from the static
    shapes (the kit's ``peak_bytes``: no computing, no process of the student's involved),
    or counted by tracemalloc over a real evaluation where a shape is not static."""
    peak = peak_bytes(nodes, feed)
    return peak if peak is not None else measure_memory(ad.evaluate, nodes, feed).peak_bytes


def _constant_adjoint(points: list[PointValues], position: int, adjoint) -> Outcome | None:
    """not-a-graph when the wrong adjoint is built from constants only (no variable feeds it)
    while the true adjoint changes from point to point: values computed at one point and
    wrapped as constants, which can be neither evaluated elsewhere nor differentiated."""
    if adjoint is None or len(points) < 2:
        return None
    expected = [point.expected[position] for point in points]
    if all(close(value, expected[0]) for value in expected[1:]):
        return None
    if any(node.op.name == "variable" for node in ad.topological_sort([adjoint])):
        return None
    point = points[0]
    name = node_names(point).name(point.order[position])
    abs_error, rel_error = errors(point.received[position], expected[0])
    return failed("not-a-graph", f"the adjoint of {name} does not depend on the inputs: its "
                  "graph holds constants only, so it has the same value at every point, while "
                  f"the adjoint of {name} changes with the inputs. The gradient graph must be "
                  "a graph of the inputs (built with op.gradient from out's nodes), so that it "
                  "can be evaluated at other points and differentiated again; numbers computed "
                  "at one point and wrapped as constants cannot.",
                  node=name, op=point.order[position].op.name, expected=preview(expected[0]),
                  received=preview(point.received[position]), abs_error=abs_error,
                  rel_error=rel_error, hint=sentence("not-a-graph"))
