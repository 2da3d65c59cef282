"""Fabric presets (kept as data in ``data/fabrics.yaml``)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from neural.errors import InputError

FABRICS = Path(__file__).parent / "data" / "fabrics.yaml"


@lru_cache(maxsize=1)
def fabric_table() -> dict[str, dict]:
    return yaml.safe_load(FABRICS.read_text())


def fabric(name: str) -> dict:
    """Parameters of one fabric; see the YAML file for units."""
    table = fabric_table()
    if name not in table:
        raise InputError(f"unknown fabric {name!r}: choose one of {', '.join(table)}")
    return dict(table[name])
