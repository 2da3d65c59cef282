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
    waist = sum(np.ptp(e.points[:, 0]) for p in pattern.panels for e in p.edges
                if e.name.startswith("waist.") and ".dart" not in e.name)  # darts taken out
    assert waist == pytest.approx(row["waist"] + ease["waist"].ease_cm)
    hip_y = row["length"] - row["hip_depth"]
    sides = [p.edge("side.R").points for p in pattern.panels]  # hem to waist: y increases
    hip = sum(2 * np.interp(hip_y, side[:, 1], side[:, 0]) for side in sides)
    assert hip == pytest.approx(row["hip"] + ease["hip"].ease_cm)
    for seam in pattern.seams:
        a, b = pattern.seam_edges(seam)
        assert a.length == pytest.approx(b.length)


def test_waist_darts_are_sewn_shut_and_left_open_in_the_mesh():
    from neural.garments.meshing import mesh_pattern

    pattern = skirt_pattern("M")
    darts = [s for s in pattern.seams if s.a[0] == s.b[0]]
    assert sorted(s.a[0] for s in darts) == ["back", "back", "front", "front"]
    for seam in darts:  # the legs meet at the apex: the seam closes the V from its opening
        a, b = pattern.seam_edges(seam)
        assert a.length == pytest.approx(b.length) and np.allclose(a.points[-1], b.points[0])
    mesh = mesh_pattern(pattern)
    for panel, (first, last) in zip(pattern.panels, mesh.ranges):
        faces = mesh.faces[(mesh.faces >= first).all(1) & (mesh.faces < last).all(1)]
        edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), 1)
        open_edges = (np.unique(edges, axis=0, return_counts=True)[1] == 1).sum()
        outline = sum(len(v) - 1 for (name, _), v in mesh.edge_vertices.items()
                      if name == panel.name)
        assert open_edges == outline  # no triangle bridges a dart's opening


def test_sizes_grow_and_unknown_sizes_are_refused():
    waists = [skirt_pattern(s).measurements["waist"] for s in SIZES]
    assert waists == sorted(waists) and len(set(waists)) == len(waists)
    with pytest.raises(InputError, match="unknown size"):
        skirt_pattern("XXXL")


def test_skirt_drapes_on_the_average_woman(tmp_path):
    import json

    fit = drape_on_average_body(tmp_path, "skirt", gender=1.0)
    # the fit map measures the waist as cut without the darts' opening (10 cm in all)
    row = json.loads((tmp_path / "garment" / "garment.json").read_text())["size_chart_row"]
    waist = fit["regions"]["waist"]
    cut = row["waist"] + fit_rules(SIZE_CHART)["waist"].ease_cm
    assert waist["ease_cm"] == pytest.approx(cut - waist["body_girth_cm"], abs=1.5)
