"""Fit maps: per-vertex strain and ease of a real drape, per-region summaries, the rendered map."""
import json

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="module")
def fit(drape_dir):
    return json.loads((drape_dir / "fit.json").read_text())


def test_girth_ease_is_the_garment_width_as_cut_less_the_body(fit, garment_dir):
    """The t-shirt's sides are straight: at the chest it is 2 x width round, whatever its folds."""
    garment = json.loads((garment_dir / "garment.json").read_text())
    chest = fit["regions"]["chest"]
    expected = 2 * garment["size_chart_row"]["width"] - chest["body_girth_cm"]
    assert chest["ease_cm"] == pytest.approx(expected, abs=1.0)
    assert {"chest", "shoulders", "sleeves", "length"} <= set(fit["regions"])
    assert fit["regions"]["length"]["hem_below_waist_cm"] > 10  # a t-shirt covers the waist


def test_per_vertex_strain_and_ease_cover_the_garment(fit, garment_dir):
    vertices = json.loads((garment_dir / "garment.json").read_text())["mesh"]["vertex_count"]
    strain, ease = np.array(fit["fit_map"]["strain"]), np.array(fit["fit_map"]["ease_mm"])
    assert len(strain) == len(ease) == vertices
    assert strain.min() >= 0 and np.percentile(strain, 50) < 0.05
    assert np.percentile(ease, 5) > -2.0  # the gate: nothing deeper than 2 mm in the body
    assert 2.0 < np.median(ease) < 60.0  # resting on the body, not floating off it


@pytest.mark.parametrize("fitmap", ["strain", "ease"])
def test_fitmap_render_has_colours_and_a_legend(drape_dir, tmp_path, fitmap):
    from addon.scene.fitmap_scale import SCALES
    from render_farm.render_stage import render_stage

    render_stage(drape_dir, tmp_path, ["front"], 4, (128, 192), "studio", "cpu", fitmap)
    assert json.loads((tmp_path / "render.json").read_text())["fitmap"] == fitmap
    image = np.asarray(Image.open(tmp_path / "front.png").convert("RGB")).astype(int)
    assert image.shape[1] > 128  # the render, then the legend's panel on its right
    legend = image[:, 128:]
    assert (legend.min(-1) > 245).mean() > 0.5  # a white panel
    colourful = legend.max(-1) - legend.min(-1) > 120  # the colour bar, about 0.4 x height
    assert 0.3 * 192 < colourful.any(1).sum() < 0.5 * 192
    top, bottom = np.nonzero(colourful.any(1))[0][[0, -1]]
    bar = legend[:, colourful.any(0)]
    red, blue = 0, 2  # strain: red at the top (10+ %), blue at 0; ease the other way round
    expected = (red, blue) if fitmap == "strain" else (blue, red)
    assert (np.argmax(bar[top].mean(0)), np.argmax(bar[bottom].mean(0))) == expected
    body = image[40:110, 40:88].reshape(-1, 3)  # the torso: coloured, not the red fabric
    saturated = body[body.max(1) - body.min(1) > 60]
    assert len(saturated) > 200
    expected = SCALES[fitmap].colors(np.median(
        json.loads((drape_dir / "fit.json").read_text())["fit_map"][SCALES[fitmap].key]))
    dominant = np.median(saturated, axis=0)
    assert _hue_degrees_apart(dominant / 255.0, expected) <= 40.0  # the garment's typical value


def _hue_degrees_apart(first, second) -> float:
    """How far apart (degrees, 0-180) the hues of two RGB colours in [0, 1] are; the fit-map
    scales' neighbouring colours (blue, green, yellow, red) lie 60-120 degrees apart."""
    import colorsys

    turn = abs(colorsys.rgb_to_hsv(*first)[0] - colorsys.rgb_to_hsv(*second)[0]) * 360.0
    return min(turn, 360.0 - turn)
