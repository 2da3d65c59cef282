"""Size charts kept as data (``neural/garments/data/*_sizes.yaml``): columns and one row per size."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from neural.errors import InputError

DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def load_chart(filename: str) -> dict[str, dict[str, float]]:
    """Size name -> measurements (cm) from a chart file in ``DATA``."""
    data = yaml.safe_load((DATA / filename).read_text())
    return {size: dict(zip(data["columns"], map(float, row))) for size, row in data["sizes"].items()}


def chart_row(filename: str, size: str, garment: str) -> dict[str, float]:
    """One size's row; an unknown size is the user's error."""
    chart = load_chart(filename)
    if size not in chart:
        raise InputError(f"unknown size {size!r} for {garment}: choose one of {', '.join(chart)}")
    return chart[size]
