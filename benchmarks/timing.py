"""Timing shared by benchmark.py and its PyTorch peer (no framework imported here)."""
import statistics
import time


def median_ms(function, repeats, warmup):
    """Median wall time of function() in ms over `repeats` calls after `warmup` untimed calls."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append(1000 * (time.perf_counter() - started))
    return round(statistics.median(samples), 1)
