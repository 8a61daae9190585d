"""Small pure statistics shared by batch summaries and comparisons (no I/O).

Every function takes plain numbers or array-likes and returns plain floats,
so the batch layer and ``compare`` compute intervals the same way.
"""

from __future__ import annotations

import math

Z95 = 1.959964
"""The normal quantile of a two-sided 95% interval."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n``.

    Better than the normal ("Wald") interval for small ``n`` and shares near 0
    or 1: it never leaves [0, 1] and is not empty at 0 or ``n`` successes
    (Wilson 1927; Brown, Cai & DasGupta 2001). With ``n == 0`` nothing is
    known and the interval is ``(0.0, 1.0)``.

    Raises:
        ValueError: if ``n`` is negative or ``successes`` is not in ``[0, n]``.
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n)) / denominator
    # Exact ends at 0 and n successes (rounding would otherwise give 1e-17 etc.).
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return lo, hi
