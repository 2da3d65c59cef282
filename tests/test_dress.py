"""Built-in sheath dress: graded from its size chart, placed by its layout, draped."""
import pytest

from neural.errors import InputError
from neural.garments.dress import SIZE_CHART, dress_pattern
from neural.garments.size_charts import fit_rules, load_chart

SIZES = list(load_chart(SIZE_CHART))


@pytest.mark.parametrize("size", SIZES)
def test_dress_girths_follow_the_chart_and_seams_match(size):
    pattern = dress_pattern(size)
    row, rules = pattern.measurements, fit_rules(SIZE_CHART)
    corner = {"hip": 1, "waist": 2, "chest": 4}  # side seam points, hem to underarm
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
    from neural.body.anny_body import PHENOTYPES, BodyParameters
    from neural.fitting.avatar_file import write_body_avatar
    from neural.garments.size_charts import chart_size
    from render_farm.stages import drape_stage, garment_stage

    body = BodyParameters(phenotypes={k: 0.5 for k in PHENOTYPES} | {"gender": 1.0})
    avatar = write_body_avatar(tmp_path / "avatar", body, "Anny's average woman")
    size = chart_size(SIZE_CHART, avatar["measurements"])
    garment_stage("dress", size, "cotton", tmp_path / "garment")
    fit = drape_stage(tmp_path / "avatar", tmp_path / "garment", tmp_path / "drape", "cpu")
    failed = {name: gate["value"] for name, gate in fit["gates"].items() if not gate["pass"]}
    assert not failed, f"quality gates failed: {failed}"
    for region, rule in fit_rules(SIZE_CHART).items():  # it sits where it was cut to sit
        assert abs(fit["regions"][region]["ease_cm"] - rule.ease_cm) < 3.0, region
    assert fit["regions"]["length"]["hem_below_hip_cm"] > 20  # knee length
