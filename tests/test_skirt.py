"""The built-in A-line skirt: graded from its size chart, placed by its layout, draped."""
import numpy as np
import pytest

from neural.errors import InputError
from neural.garments.size_charts import fit_rules, load_chart
from neural.garments.skirt import SIZE_CHART, skirt_pattern
from tests.conftest import drape_on_average_body

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
    drape_on_average_body(tmp_path, "skirt", gender=1.0)
