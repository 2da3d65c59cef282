"""Size advice: drapes sizes on a real body and agrees with the size chart where the body sits
clearly inside one size."""
import pytest

from neural.drape.size_advice import judge, next_size, recommend
from neural.errors import InputError
from neural.garments.size_charts import (chart_row, chart_size, fit_rules, fitted_size, load_chart,
                                         neighbour_steps, sizes_around)

CHART = "tshirt_sizes.yaml"


def _regions(ease_cm: float, strain: float = 0.0) -> dict:
    return {"chest": {"ease_cm": ease_cm, "body_girth_cm": 100.0, "strain_p50": strain,
                      "strain_p95": strain}}


def test_the_search_stops_at_the_smallest_size_that_is_not_tight():
    judged = {"M": judge(_regions(11.0), CHART, "M")}  # fits: try smaller
    assert next_size(CHART, judged) == "S"
    judged["S"] = judge(_regions(3.0), CHART, "S")  # short of 12 cm by more than half a step: tight
    assert next_size(CHART, judged) is None
    advice = recommend(CHART, judged)
    assert advice["size"] == "M" and advice["reason"].startswith("M: S is tight at the chest")
    short = {"XXL": judge(_regions(7.0, strain=0.05), CHART, "XXL")}
    assert next_size(CHART, short) is None  # nothing bigger to try
    assert recommend(CHART, short)["reason"] == (
        "XXL: the largest size, still tight at the chest (ease 7.0 cm, cut for 12 cm; strain 5 %)")


def test_advice_from_sizes_draped_around_the_charts_pick_says_what_was_not_draped():
    fits, tight = judge(_regions(11.0), CHART, "M"), judge(_regions(3.0), CHART, "M")
    assert sizes_around(CHART, "M") == ["S", "M", "L"] and sizes_around(CHART, "XS")[0] == "XS"
    assert sizes_around("jeans_sizes.yaml", "M-L30") == ["S-L30", "M-L30", "L-L30"]
    advice = recommend(CHART, {"S": fits, "M": fits, "L": fits})
    assert advice["size"] == "S" and advice["reason"].endswith("(XS not draped)")
    advice = recommend(CHART, {"S": tight, "M": tight, "L": tight})
    assert advice["size"] == "XL" and advice["reason"].startswith("XL: L is tight at the chest")
    assert recommend(CHART, {"S": tight, "M": fits, "L": fits})["reason"].startswith(
        "M: S is tight")


def test_chart_rule_takes_the_largest_size_over_its_girths():
    skirt = "skirt_sizes.yaml"
    assert chart_size(skirt, {"waist_girth": 70.5, "hip_girth": 96.0}) == "M"
    assert chart_size(skirt, {"waist_girth": 70.5, "hip_girth": 108.0}) == "XL"
    assert chart_size(CHART, {"chest_girth": 101.0, "hip_girth": 100.0}) == "M"
    # a t-shirt is as wide at the hem as at the chest: wide hips take a larger size
    assert chart_size(CHART, {"chest_girth": 84.0, "hip_girth": 99.0}) == "S"


def test_trousers_come_in_the_length_of_the_wearers_inseam():
    body = {"waist_girth": 82.0, "hip_girth": 98.0}
    # the hem 8 cm above the floor: the length nearest the inseam less 8 cm
    assert fitted_size("jeans_sizes.yaml", {**body, "inseam": 84.0}) == "M-L30"
    assert fitted_size("trousers_sizes.yaml", {**body, "inseam": 70.0}) == "M-L24"
    assert fitted_size(CHART, {"chest_girth": 101.0, "hip_girth": 100.0}) == "M"  # one length
    long, plain = chart_row("jeans_sizes.yaml", "M-L34", "jeans"), load_chart("jeans_sizes.yaml")["M"]
    assert long == {**plain, "inseam": 86.0}
    with pytest.raises(InputError, match="unknown length 'L99' for jeans: choose one of L24"):
        chart_row("jeans_sizes.yaml", "M-L99", "jeans")
    with pytest.raises(InputError, match="tshirt comes in one length"):
        chart_row(CHART, "M-L30", "tshirt")


@pytest.mark.parametrize("chart", [CHART, "skirt_sizes.yaml"])
def test_charts_declare_their_ease_and_grade_evenly(chart):
    rules = fit_rules(chart)
    for size in load_chart(chart):
        assert all(min(neighbour_steps(chart, rule, size)) > 0 for rule in rules.values())
    if chart == CHART:  # the t-shirt's declared ease is what its widths give
        for row in load_chart(chart).values():
            assert 2 * row["width"] - row["body_chest"] == rules["chest"].ease_cm
            assert 2 * row["width"] - row["body_hip"] == rules["hip"].ease_cm


def test_size_advice_on_a_body_clearly_inside_one_size(tmp_path):
    """Anny's average man has a 92.9 cm chest: size S (made for 92, the next sizes 84 and 100)."""
    import json

    from render_farm.cli import main
    from tests.conftest import write_average_avatar

    avatar = write_average_avatar(tmp_path / "avatar", gender=0.0)
    chest = avatar["measurements"]["chest_girth"]
    chart = load_chart(CHART)
    inside = [s for s, row in chart.items() if abs(row["body_chest"] - chest) <= 2.0]
    assert len(inside) == 1, f"chest {chest} cm is not clearly inside one size"
    assert main(["size", str(tmp_path / "avatar"), "tshirt", "--out", str(tmp_path / "size"),
                 "--device", "cpu"]) == 0
    advice = json.loads((tmp_path / "size" / "size_advice.json").read_text())
    assert advice["chart_size"] == inside[0]
    assert advice["size"] == inside[0], advice["reason"]
    smaller = list(chart)[list(chart).index(inside[0]) - 1]
    assert advice["sizes"][smaller]["chest"]["verdict"] == "tight"
    assert advice["reason"].startswith(f"{inside[0]}: {smaller} is tight at the chest")
    assert (tmp_path / "size" / inside[0] / "drape" / "fit.json").is_file()


def test_a_kept_drape_is_stale_once_its_garment_changes(tmp_path):
    from neural.stages import remake_garment

    folder = tmp_path / "garment"
    assert remake_garment("jeans", "M-L30", "denim", folder)  # none there yet
    assert not remake_garment("jeans", "M-L30", "denim", folder)  # the very same garment
    assert remake_garment("jeans", "M-L32", "denim", folder)  # another length
    assert remake_garment("jeans", "M-L32", "cotton", folder)  # another fabric


def test_the_advice_says_when_the_intervals_straddle_two_sizes():
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import (chart_size, fit_rules, load_chart, size_span,
                                             span_note)

    chart = SIZE_CHARTS["tshirt"]
    made_for = load_chart(chart)["M"]  # a body the chart's M is made for
    measured = {rule.measurement: made_for[rule.body_column] for rule in fit_rules(chart).values()}
    narrow = {name: {"interval_cm": [value - 1.0, value + 1.0]} for name, value in measured.items()}
    span = size_span(chart, measured, narrow)
    assert span["sizes"] == [chart_size(chart, measured)] * 2 and not span["straddles"]
    wide = narrow | {"chest_girth": {"interval_cm": [80.0, 112.0]}}
    span = size_span(chart, measured, wide)
    assert span["straddles"] and span["measurement"] == "chest_girth"
    assert span["interval_cm"] == [80.0, 112.0]
    note = span_note(span, has_side_photo=False)
    assert "chest reads 80-112 cm, between" in note and "or a side photo" in note
    assert "close-fitting clothes" in note
    hoodie = {"chest": {"looks": "loose"}, "hips": {"looks": "fitted"}}
    assert "a photo in a fitted top" in span_note(span, True, hoodie)
    assert size_span(chart, measured, {}) is None  # intervals not known
