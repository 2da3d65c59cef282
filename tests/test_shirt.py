"""Built-in long-sleeved shirt with a band collar: graded, seams matched, draped."""
import pytest

from neural.garments.shirt import SIZE_CHART, shirt_pattern
from neural.garments.size_charts import fit_rules, load_chart
from tests.conftest import drape_on_average_body


@pytest.mark.parametrize("size", list(load_chart(SIZE_CHART)))
def test_shirt_follows_its_chart_and_every_seam_matches(size):
    pattern = shirt_pattern(size)
    row = pattern.measurements
    assert 2 * row["width"] - row["body_chest"] == fit_rules(SIZE_CHART)["chest"].ease_cm
    collar = pattern.panel("collar")
    assert collar.edge("end_a").length == pytest.approx(row["collar_height"])
    for seam in pattern.seams:
        a, b = pattern.seam_edges(seam)
        assert a.length == pytest.approx(b.length)


def test_shirt_drapes_on_the_average_man(tmp_path):
    fit = drape_on_average_body(tmp_path, "shirt", gender=0.0)
    assert fit["regions"]["sleeves"]["strain_p95"] < 0.10
    chest = fit["regions"]["chest"]
    assert abs(chest["ease_cm"] - fit_rules(SIZE_CHART)["chest"].ease_cm) < 4.0
