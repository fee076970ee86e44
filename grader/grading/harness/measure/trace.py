"""Watch which nodes the submission asks for partial adjoints, in what order, with what.

The one place the trace of a call is made: the `autodiff` runner traces op.gradient, the
`backprop` runner op.vjp, both through ``traced_call``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import autodiff as ad
from autodiff import ops as _ops


def _kit_op_classes():
    return {type(op) for op in vars(_ops).values() if isinstance(op, ad.Op)}


@contextlib.contextmanager
def record_calls(method: str, forward_nodes: dict):
    """Record (node index, output adjoint) for each call of ``op.<method>`` on a forward node.

    The calls are appended to the yielded list in the order the submission makes them.
    """
    calls: list[tuple[int, object]] = []
    originals = {}
    for cls in _kit_op_classes():
        original = cls.__dict__.get(method)
        if original is None:
            continue
        originals[cls] = original

        def traced(self, node, *args, _original=original):
            position = forward_nodes.get(node)
            if position is not None:
                calls.append((position, args[-1]))
            return _original(self, node, *args)

        setattr(cls, method, traced)
    try:
        yield calls
    finally:
        for cls, original in originals.items():
            setattr(cls, method, original)


def traced_call(method: str, call: Callable[[], object], forward_nodes: dict,
                trace: bool = True) -> tuple[object, list[tuple[int, object]]]:
    """``call()``'s result and, when ``trace``, the calls of ``op.<method>`` it made.

    A case that does not need the trace (a graph too large to send it back) runs the call
    bare, its trace empty.
    """
    if not trace:
        return call(), []
    with record_calls(method, forward_nodes) as calls:
        result = call()
    return result, calls
