"""Built-in open-front jacket: graded, fronts lapping at the centre, draped over a shirt."""
import pytest

from neural.garments.jacket import SIZE_CHART, jacket_pattern
from neural.garments.size_charts import fit_rules, load_chart
from tests.conftest import drape_on_average_body, drape_over


@pytest.mark.parametrize("size", list(load_chart(SIZE_CHART)))
def test_jacket_fronts_lap_and_every_seam_matches(size):
    pattern = jacket_pattern(size)
    row = pattern.measurements
    assert 2 * row["width"] - row["body_chest"] == fit_rules(SIZE_CHART)["chest"].ease_cm
    left, right = pattern.panel("front.L"), pattern.panel("front.R")
    assert left.outline()[:, 0].min() == pytest.approx(-row["overlap"])
    assert right.outline()[:, 0].max() == pytest.approx(row["overlap"])
    sewn = {edge for seam in pattern.seams for edge in (seam.a, seam.b)}
    assert ("collar", "end_a") not in sewn and ("front.L", "opening") not in sewn
    for seam in pattern.seams:
        a, b = pattern.seam_edges(seam)
        assert a.length == pytest.approx(b.length)


def test_a_jacket_over_a_shirt(tmp_path):
    drape_on_average_body(tmp_path, "shirt", gender=0.0)
    fit = drape_over(tmp_path, tmp_path / "drape", "jacket", "S", "wool_suiting")
    assert fit["layers_under"] == [{"garment": "shirt", "fabric": "cotton",
                                    "color": [0.85, 0.25, 0.2]}]  # cotton's own
