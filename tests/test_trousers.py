"""Built-in straight trousers: graded from their size chart, legs placed round each leg, draped."""
import numpy as np
import pytest

from neural.errors import InputError
from neural.garments.size_charts import fit_rules, load_chart
from neural.garments.trousers import KNEE_LINE, SIZE_CHART, trousers_pattern
from tests.conftest import drape_on_average_body

SIZES = list(load_chart(SIZE_CHART))


@pytest.mark.parametrize("size", SIZES)
def test_trousers_follow_the_chart_and_seams_match(size):
    pattern = trousers_pattern(size)
    row, ease = pattern.measurements, fit_rules(SIZE_CHART)
    waist = sum(np.ptp(p.edge("waist").points[:, 0]) for p in pattern.panels)
    assert waist == pytest.approx(row["waist"] + ease["waist"].ease_cm)
    hip_y = row["inseam"] + row["rise"] - row["hip_depth"] - 1e-6  # just under the side's corner
    hip = _width_at(pattern, hip_y)
    assert hip == pytest.approx(row["hip"] + ease["hip"].ease_cm, abs=0.5)
    # the hip curve: halfway up to the waist the side seams have taken in well under half of
    # the hip-to-waist difference (a straight seam: half), leaving the high hip room
    high_hip = _width_at(pattern, hip_y + row["hip_depth"] / 2)
    assert hip - high_hip < 0.35 * (hip - waist)
    for seam in pattern.seams:
        a, b = pattern.seam_edges(seam)
        assert a.length == pytest.approx(b.length)
    hem = sum(p.edge("hem").length for p in pattern.panels)
    assert hem == pytest.approx(2 * row["hem"])
    # the leg narrows to the chart's knee girth on the knee line: both legs' panels together
    knee = _width_at(pattern, KNEE_LINE * row["inseam"] - 1e-6)  # just under the knee points
    assert knee == pytest.approx(2 * row["knee"], abs=0.01)


def _width_at(pattern, y: float) -> float:
    """The panels' summed width as cut (cm) at height ``y`` of the pattern."""
    width = 0.0
    for panel in pattern.panels:
        outline = panel.outline()
        closed = np.vstack([outline, outline[:1]])
        crossings = [a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
                     for a, b in zip(closed[:-1], closed[1:]) if (a[1] - y) * (b[1] - y) < 0]
        width += max(crossings) - min(crossings)
    return width


def test_unknown_sizes_are_refused():
    with pytest.raises(InputError, match="unknown size"):
        trousers_pattern("XXXL")


def test_trousers_drape_on_the_average_man(tmp_path):
    from neural.mesh_io import read_glb

    fit = drape_on_average_body(tmp_path, "trousers", gender=0.0)
    # each leg hangs round its own leg: below the crotch no garment point crosses the midline
    garment = read_glb(tmp_path / "drape" / "draped.glb")["garment"][0]
    knees = garment[np.abs(garment[:, 2] - 0.5) < 0.05]
    assert len(knees) and np.abs(knees[:, 0]).min() > 0.01
    assert abs(fit["regions"]["hip"]["ease_cm"] - fit_rules(SIZE_CHART)["hip"].ease_cm) < 3.0


def test_jeans_are_the_trousers_cut_slim():
    from neural.garments.jeans import jeans_pattern

    for size in SIZES:
        jeans, trousers = jeans_pattern(size), trousers_pattern(size)
        for seam in jeans.seams:
            a, b = jeans.seam_edges(seam)
            assert a.length == pytest.approx(b.length)
        hem = [sum(p.edge("hem").length for p in g.panels) for g in (jeans, trousers)]
        assert hem[0] < hem[1] - 10  # at least 5 cm narrower leg opening per leg
        knee = [_width_at(g, KNEE_LINE * g.measurements["inseam"] - 1e-6)
                for g in (jeans, trousers)]
        assert knee[0] == pytest.approx(2 * jeans.measurements["knee"], abs=0.01)
        assert knee[0] < knee[1]  # closer at the knee too


def test_a_longer_length_lengthens_only_the_legs():
    from neural.garments.jeans import jeans_pattern

    short, long = jeans_pattern("M-L28"), jeans_pattern("M-L34")
    for name in ("front.L", "back.R"):
        assert long.panel(name).edge("inseam").length == pytest.approx(
            short.panel(name).edge("inseam").length + 15.0, abs=0.5)
        assert long.panel(name).edge("waist").length == pytest.approx(
            short.panel(name).edge("waist").length)


def test_slim_denim_jeans_drape_on_the_average_man(tmp_path):
    fit = drape_on_average_body(tmp_path, "jeans", gender=0.0, fabric="denim")
    assert fit["regions"]["hip"]["ease_cm"] < 8.0  # closer than the straight trousers' 8 cm
