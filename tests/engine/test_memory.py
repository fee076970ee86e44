"""evaluate releases intermediate values; the profiler measures what it should."""

import sys

import numpy as np

import autodiff as ad
from reference.profiling import child_peak_rss, measure_memory

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


def test_child_peak_rss_is_measured_from_outside():
    small = child_peak_rss([sys.executable, "-c", "pass"])
    big = child_peak_rss([sys.executable, "-c",
                          "import numpy as np; a = np.ones(50 * 2**20 // 8); a[:] = 2"])
    assert small.returncode == big.returncode == 0
    assert big.peak_rss_bytes - small.peak_rss_bytes > 40 * 2**20
