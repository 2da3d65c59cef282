"""Built-in sheath dress: graded from its size chart, placed by its layout, draped."""
import pytest

from neural.errors import InputError
from neural.garments.dress import SIZE_CHART, dress_pattern
from neural.garments.size_charts import fit_rules, load_chart
from tests.conftest import drape_on_average_body

SIZES = list(load_chart(SIZE_CHART))


@pytest.mark.parametrize("size", SIZES)
def test_dress_girths_follow_the_chart_and_seams_match(size):
    pattern = dress_pattern(size)
    row, rules = pattern.measurements, fit_rules(SIZE_CHART)
    corner = {"hip": 1, "waist": -3, "chest": -1}  # side seam points, hem to underarm
    for region, rule in rules.items():
        girth = sum(2 * p.edge("side.R").points[corner[region], 0] for p in pattern.panels)
        assert girth == pytest.approx(row[rule.body_column] + rule.ease_cm)
    for seam in pattern.seams:
        a, b = pattern.seam_edges(seam)
        assert a.length == pytest.approx(b.length)


def test_unknown_sizes_are_refused():
    with pytest.raises(InputError, match="unknown size"):
        dress_pattern("XXXL")


def test_dress_drapes_on_the_average_woman(tmp_path):
    fit = drape_on_average_body(tmp_path, "dress", gender=1.0)
    for region, rule in fit_rules(SIZE_CHART).items():  # it sits where it was cut to sit
        assert abs(fit["regions"][region]["ease_cm"] - rule.ease_cm) < 3.0, region
    assert fit["regions"]["length"]["hem_below_hip_cm"] > 20  # knee length
