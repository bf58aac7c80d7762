"""Small statistics and number formats shared by the benchmark report."""
from __future__ import annotations

import statistics


def percentile(values, q: float) -> float | None:
    """Return the q-th percentile (nearest rank) of values, None when empty."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    return v[min(len(v) - 1, max(0, int(round(q / 100 * len(v) + 0.5)) - 1))]


def median(values) -> float | None:
    """Return the median of the values that are not None, None when there are none."""
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def hit_at(ranks, k: int = 5) -> float | None:
    """Return the share of ranks at most k (None counts as a miss), None when empty."""
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else None


def fmt(v, digits: int = 1, unit: str = "") -> str:
    """Return v with thousands separators (floats with digits decimals), "—" for None."""
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}{unit}"
    return f"{v:,}{unit}"


def ratio(a, b, digits: int = 2) -> str:
    """Return a / b as "1.23×", "—" when either is missing or b is zero."""
    return "—" if a is None or not b else f"{a / b:.{digits}f}×"


def mib(n: int | None) -> float | None:
    """Return n bytes in MiB."""
    return None if n is None else n / 2**20


def median_p95(values) -> str:
    """Return "median / p95" of latencies in whole milliseconds."""
    return f"{fmt(median(values), 0)} / {fmt(percentile(values, 95), 0)}"
