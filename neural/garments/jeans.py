"""Slim jeans: the trousers' draft (a front and a back panel per leg) cut from the jeans chart,
closer at the hip, lower in the rise and tapered to a narrow leg opening."""
from __future__ import annotations

from neural.garments.pattern import Pattern
from neural.garments.trousers import legged_pattern

SIZE_CHART = "jeans_sizes.yaml"


def jeans_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    return legged_pattern("jeans", SIZE_CHART, size)
