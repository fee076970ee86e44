"""evaluate releases intermediate values; the memory measurement measures what it should."""

import numpy as np

import autodiff as ad
from grader.grading.harness.measure.memory import measure_memory

ARRAY_BYTES = 10**6 * 8


def test_evaluate_peak_memory_follows_the_live_set():
    x = ad.variable("x", (10**6,))
    node = x
    for _ in range(200):
        node = ad.tanh(node) * 0.5
    feed = {x: np.full(10**6, 0.3)}
    report = measure_memory(ad.evaluate, [node], feed)
    # Without liveness the 400 intermediate arrays would need about 3 GB.
    assert report.peak_bytes < 4 * ARRAY_BYTES
    assert ARRAY_BYTES <= report.retained_bytes < 2 * ARRAY_BYTES  # the result itself


def test_measure_memory_sees_numpy_buffers_and_frees():
    report = measure_memory(lambda: float(np.ones(10**6).sum()))
    assert report.peak_bytes >= ARRAY_BYTES
    assert report.retained_bytes < ARRAY_BYTES / 10
    assert report.result == 10**6


def test_peak_bytes_follows_evaluates_schedule_without_computing():
    from autodiff.evaluate import peak_bytes

    x = ad.variable("x", (10**5,))
    chain = ad.reduce_sum(ad.tanh(x) * 0.5)
    feed = {x: np.full(10**5, 0.3)}
    size = 10**5 * 8
    # x and tanh(x), then x is released (its last consumer ran); tanh(x) and tanh(x) * 0.5,
    # then tanh(x) is released: two arrays at most.
    assert peak_bytes([chain], feed) == 2 * size
    # What evaluate really allocates at its peak, above the fed array, is the same live set.
    measured = measure_memory(ad.evaluate, [chain], feed).peak_bytes
    assert 2 * size <= measured <= 2 * size + 64 * 1024
    # A graph that keeps every value alive to the end is charged for all of them.
    kept = [ad.tanh(x), ad.tanh(x) * 0.5, chain]
    assert peak_bytes(kept, feed) > peak_bytes([chain], feed)


def test_peak_bytes_is_unknown_where_a_shape_is_not_static():
    from autodiff.evaluate import peak_bytes

    x = ad.variable("x")  # no declared shape
    y = ad.variable("y")
    assert peak_bytes([ad.tanh(x) * y], {x: np.ones(3)}) is None
