"""Latency figures the benchmarks print: p50, p95 and max of timings in milliseconds."""

from __future__ import annotations

import statistics


def latency(timings_ms: list[float]) -> str:
    ordered = sorted(timings_ms)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
