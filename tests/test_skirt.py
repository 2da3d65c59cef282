"""The built-in A-line skirt: graded from its size chart, placed by its layout, draped."""
import numpy as np
import pytest

from neural.errors import InputError
from neural.garments.size_charts import fit_rules, load_chart
from neural.garments.skirt import SIZE_CHART, skirt_pattern

SIZES = list(load_chart("skirt_sizes.yaml"))


@pytest.mark.parametrize("size", SIZES)
def test_skirt_girths_follow_the_chart(size):
    pattern = skirt_pattern(size)
    row, ease = pattern.measurements, fit_rules(SIZE_CHART)
    waist = sum(np.ptp(p.edge("waist").points[:, 0]) for p in pattern.panels)
    assert waist == pytest.approx(row["waist"] + ease["waist"].ease_cm)
    hip_y = row["length"] - row["hip_depth"]
    sides = [p.edge("side.R").points for p in pattern.panels]  # hem to waist: y increases
    hip = sum(2 * np.interp(hip_y, side[:, 1], side[:, 0]) for side in sides)
    assert hip == pytest.approx(row["hip"] + ease["hip"].ease_cm)
    for seam in pattern.seams:
        a, b = pattern.seam_edges(seam)
        assert a.length == pytest.approx(b.length)


def test_sizes_grow_and_unknown_sizes_are_refused():
    waists = [skirt_pattern(s).measurements["waist"] for s in SIZES]
    assert waists == sorted(waists) and len(set(waists)) == len(waists)
    with pytest.raises(InputError, match="unknown size"):
        skirt_pattern("XXXL")


def test_skirt_drapes_on_the_average_woman(tmp_path):
    from neural.body.anny_body import PHENOTYPES, BodyParameters
    from neural.fitting.avatar_file import write_body_avatar
    from render_farm.stages import drape_stage, garment_stage

    body = BodyParameters(phenotypes={k: 0.5 for k in PHENOTYPES} | {"gender": 1.0})
    avatar = write_body_avatar(tmp_path / "avatar", body, "Anny's average woman")
    chart = load_chart("skirt_sizes.yaml")
    size = min(chart, key=lambda s: abs(chart[s]["hip"] - avatar["measurements"]["hip_girth"]))
    garment_stage("skirt", size, "cotton", tmp_path / "garment")
    fit = drape_stage(tmp_path / "avatar", tmp_path / "garment", tmp_path / "drape", "cpu")
    failed = {name: gate["value"] for name, gate in fit["gates"].items() if not gate["pass"]}
    assert not failed, f"quality gates failed: {failed}"
