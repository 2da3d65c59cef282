"""A small real Cycles render of the draped garment."""
import json

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.blender


def test_render_shows_the_garment(drape_dir, tmp_path):
    from render_farm.render_stage import render_stage

    render_stage(drape_dir, tmp_path, ["front"], 4, (128, 192), "studio", "cpu")
    meta = json.loads((tmp_path / "render.json").read_text())
    assert meta["device"] == "CPU" and meta["seconds_per_image"] > 0
    image = np.asarray(Image.open(tmp_path / "front.png").convert("RGB")).astype(float)
    assert image.std() > 10  # not blank
    # The cotton is red: reddish pixels sit in the upper-middle of the frame (the torso).
    red = (image[..., 0] > image[..., 1] + 25) & (image[..., 0] > image[..., 2] + 25)
    rows, cols = np.nonzero(red)
    assert red.sum() > 50
    assert 0.15 < rows.mean() / image.shape[0] < 0.6
    assert 0.35 < cols.mean() / image.shape[1] < 0.65
