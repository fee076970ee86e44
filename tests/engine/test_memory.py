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
