"""The `backprop` assignment's cases: what goes into the sandbox and how the answer is judged.

The submission computes adjoint values in the sandbox at a point it is given (its
forward pass needs the values); they come back as arrays and are compared here with
the reference's adjoints at the same point. The trace of op.vjp calls carries the
adjoint each node passed on, so an order mistake is told apart from a missing sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

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

# Categories a value-based diagnosis may turn into "wrong-order" when the trace shows that
# a consumer passed its adjoint on before it was complete.
_ORDER_SYMPTOMS = {"wrong-value", "adjoint-not-summed", "missing-adjoint", "double-counted"}


def _reference_adjoints():
    return engine().adjoint_values


def _decode_values(encoded: dict) -> dict[int, np.ndarray]:
    return {int(position): graphio.decode_array(value) for position, value in encoded.items()}


@dataclass(eq=False)
class BackpropCase(GraphCase):
    n_points: int = 1          # the submission sees its point, so one point per case

    def __post_init__(self):
        if self.check == "repeat":
            self.n_points = max(self.n_points, 2)  # the third call runs at a second point

    # -- into the sandbox ------------------------------------------------------------
    def make_payload(self) -> dict:
        payload = {"check": self.check, "time_limit": self.time_limit}
        if self.check == "growth":
            last = len(self.growth_graphs) - 1
            payload["graphs"] = [
                {"records": g.records, "nodes": len(g.order), "out": g.out, "wrt": g.variables,
                 "feed": self.encoded_feed(self.feeds(g, n=1)[0], g), "checked": i == last}
                for i, g in enumerate(self.growth_graphs)]
            payload.update(retiming_rule())  # a large graph that looks slow is timed again
            return payload
        graph, feeds = self.graph, self.feeds()
        payload.update(graph=graph.records, out=graph.out, feed=self.encoded_feed(feeds[0]),
                       trace=self.trace)
        if self.wrt == "variables" or self.check == "memory":
            payload["wrt"] = graph.variables
        if self.check == "repeat":
            payload["second_feed"] = self.encoded_feed(feeds[1])
        return payload

    # -- reference computations, once per case (a worker grades many submissions) --------
    @cached_property
    def reference_growth(self) -> list[dict[int, np.ndarray]]:
        """The variables' adjoints of each growth graph at the point the sandbox was given."""
        gradient = _reference_adjoints()
        found = []
        for graph in self.growth_graphs:
            adjoints = gradient(graph.order[graph.out], self.feeds(graph, n=1)[0])
            found.append({p: np.asarray(adjoints[graph.order[p]]) for p in graph.variables})
        return found

    @cached_property
    def reference_memory(self) -> int:
        """Peak bytes of the reference's gradient() on this case's graph and point."""
        graph = build_graph(self.build())  # fresh nodes, as the sandbox has
        feed = self.feeds(graph, n=1)[0]
        return measure_memory(_reference_adjoints(), graph.order[graph.out],
                              feed).peak_bytes

    # -- out of the sandbox ------------------------------------------------------------
    def judge(self, record: dict) -> Outcome:
        if "key_error" in record:
            key_error = record["key_error"]
            nodes = graphio.deserialize(key_error["records"], known=self.graph.order)
            return explain_key_error(nodes[key_error["target"]], nodes[key_error["node"]],
                                     str(key_error.get("message", ""))[:4000])
        judge = {"adjoints": self._judge_adjoints, "repeat": self._judge_repeat,
                 "growth": self._judge_growth, "memory": self._judge_memory}[self.check]
        return judge(record)

    def _not_a_dict(self, record) -> Outcome | None:
        if "values" not in record:
            return failed("wrong-value", "gradient() must return a dict mapping each node to its "
                          f"adjoint, a numpy array: {record.get('not_values', 'no values')}.",
                          hint=sentence("wrong-value", "not-a-dict"))
        return None

    def _check_values(self, encoded: dict, point: int, trace=(), not_arrays=()) -> Outcome | None:
        """The diagnosis of the first wrong adjoint nearest out at one point, or None."""
        graph = self.graph
        _, expected, partials = self.reference_points[point]
        received = _decode_values(encoded)
        values = PointValues(graph.order, graph.out, expected, partials, received, list(trace))
        wrong = first_wrong(values, self.positions_checked())
        if wrong is None:
            return None
        return self._diagnose(values, wrong, set(not_arrays))

    def _diagnose(self, values: PointValues, position: int, not_arrays: set) -> Outcome:
        node = values.order[position]
        names = node_names(values)
        name = names.name(node)
        expected = values.expected[position]
        got = values.received.get(position)
        where = {"node": name, "op": node.op.name, "expected": preview(expected)}
        if position in not_arrays:
            return failed("wrong-value", f"the adjoint of {name} is not a numpy array.",
                          **where, hint=sentence("wrong-value", "adjoint-not-an-array"))
        if position == values.out and got is not None:
            # The adjoint of out is the seed itself, whatever else went wrong.
            abs_error, rel_error = errors(got, expected)
            if np.shape(got) != np.shape(expected):
                detail = (f"it has shape {list(np.shape(got))}, out has shape "
                          f"{list(np.shape(expected))}")
            else:
                detail = "it should be 1 in every element"
            return failed("wrong-seed", f"the adjoint of out is not ones_like(out): {detail}.",
                          **where, received=preview(got), abs_error=abs_error,
                          rel_error=rel_error, hint=sentence("wrong-seed", "backprop"))
        outcome = diagnose(values, position, "backprop")
        if outcome.category in _ORDER_SYMPTOMS:
            early = self._passed_on_early(values, position)
            if early is not None:
                consumer = names.name(values.order[early])
                return failed("wrong-order", f"the adjoint of {name} is wrong because its "
                              f"consumer {consumer} passed its adjoint on (op.vjp) before "
                              f"all of {consumer}'s own consumers had sent their partial "
                              "adjoints.", **{k: v for k, v in outcome.diagnosis.items()
                                              if k not in ("category", "hint")},
                              early_node=consumer, hint=sentence("wrong-order"))
        return outcome

    @staticmethod
    def _passed_on_early(values: PointValues, position: int) -> int | None:
        """A consumer of ``position`` whose op.vjp ran before one of its own consumers' did,
        with an adjoint that was not yet right (unknown counts: it was too large to trace)."""
        first_call: dict[int, int] = {}
        passed_on: dict[int, np.ndarray | None] = {}
        for step, (asked, adjoint) in enumerate(values.trace):
            if asked not in first_call:
                first_call[asked] = step
                passed_on[asked] = adjoint
        for consumer, _ in values.partials.get(position, []):
            if consumer not in first_call:
                continue
            later = [c for c, _ in values.partials.get(consumer, [])
                     if first_call.get(c, -1) > first_call[consumer]]
            adjoint = passed_on[consumer]
            if later and (adjoint is None or consumer not in values.expected
                          or not close(adjoint, values.expected[consumer])):
                return consumer
        return None

    @staticmethod
    def _trace(record) -> list[tuple[int, np.ndarray | None]]:
        return [(int(position), None if adjoint is None else graphio.decode_array(adjoint))
                for position, adjoint in record.get("trace", [])]

    def _judge_adjoints(self, record) -> Outcome:
        wrong = self._not_a_dict(record) or self._check_values(
            record["values"], 0, self._trace(record), record.get("not_arrays", []))
        if wrong is not None:
            return wrong
        return passed("every adjoint matches the reference")

    def _judge_repeat(self, record) -> Outcome:
        wrong = self._not_a_dict(record) or self._check_values(
            record["values"], 0, (), record.get("not_arrays", []))
        if wrong is not None:
            return wrong
        wrong = self._check_values(record["second_values"], 1)
        if wrong is not None:
            return failed("stale-state", "gradient() gave a wrong answer when called again on "
                          f"the same graph at another point ({wrong.message}) after a correct "
                          "first call. Keep no state between calls: a module-level dict of "
                          "values or adjoints leaks into the next call.",
                          **{k: v for k, v in wrong.diagnosis.items() if k != "category"})
        return passed("calling gradient() again gives the right adjoints")

    def _judge_growth(self, record) -> Outcome:
        runs = record["runs"]
        # The largest graph's values are checked: its time counts only for values really
        # computed (the smaller graphs' times can only count against the submission).
        for run, graph, expected in list(zip(runs, self.growth_graphs,
                                             self.reference_growth))[-1:]:
            names = NodeNames(graph.order, graph.order[graph.out])
            if "values" not in run:
                return failed("wrong-value", f"on {len(graph.order)} nodes gradient() returned "
                              f"no dict of adjoints: {run.get('not_values', '')}.")
            received = _decode_values(run["values"])
            for position, value in expected.items():
                got = received.get(position)
                if got is None or not close(got, value):
                    name = names.name(graph.order[position])
                if got is None:
                    return failed("missing-adjoint", f"on {len(graph.order)} nodes there is no "
                                  f"adjoint for {name}.", node=name,
                                  hint=sentence("missing-adjoint"))
                if not close(got, value):
                    abs_error, rel_error = errors(got, value)
                    return failed("wrong-value", f"on {len(graph.order)} nodes the adjoint of "
                                  f"{name} is wrong.", node=name, expected=preview(value),
                                  received=preview(got), abs_error=abs_error,
                                  rel_error=rel_error)
        return judge_growth(runs[0], runs[-1], hint=sentence("too-slow", "backprop"))

    def _judge_memory(self, record) -> Outcome:
        wrong = self._not_a_dict(record) or self._check_values(
            record["values"], 0, (), record.get("not_arrays", []))
        if wrong is not None:
            return wrong
        memory = record["memory"]
        # Measured alike: from outside the process in the grader (the record carries the
        # reference's figure), by tracemalloc on a student's machine.
        reference = memory["reference_peak"] if memory.get("method") == protocol.RSS \
            else self.reference_memory
        used = memory["gradient_peak"]
        if self.over_memory(used, reference):
            return failed("memory", f"gradient() peaked at {used / 2**20:.1f} MiB; the reference "
                          f"needs {reference / 2**20:.1f} MiB.",
                          hint=sentence("memory", "backprop"),
                          received_bytes=used, expected_bytes=reference)
        return passed(f"peak memory {used / max(reference, 1):.1f}x the reference's")
