"""Shared fixtures: the real pipeline run once on the bundled example photo (small settings)."""
from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PHOTO = EXAMPLES / "pifu_ryota.png"
HEIGHT_CM = 175.0


@pytest.fixture(scope="session")
def avatar_dir(tmp_path_factory) -> Path:
    from render_farm.stages import fit_stage

    out = tmp_path_factory.mktemp("avatar")
    fit_stage(PHOTO, HEIGHT_CM, out, "cpu")
    return out


@pytest.fixture(scope="session")
def garment_dir(tmp_path_factory) -> Path:
    from render_farm.stages import garment_stage

    out = tmp_path_factory.mktemp("garment")
    garment_stage("tshirt", "M", "cotton", out)
    return out


@pytest.fixture(scope="session")
def drape_dir(tmp_path_factory, avatar_dir, garment_dir) -> Path:
    from render_farm.stages import drape_stage

    out = tmp_path_factory.mktemp("drape")
    drape_stage(avatar_dir, garment_dir, out, "cpu")
    return out
