"""Pattern validity for every graded size."""
import numpy as np
import pytest

from neural.garments.meshing import mesh_pattern
from neural.garments.tshirt import size_chart, tshirt_pattern


@pytest.mark.parametrize("size", list(size_chart()))
def test_seams_join_edges_of_equal_length(size):
    pattern = tshirt_pattern(size)
    assert {p.name for p in pattern.panels} == {"front", "back", "sleeve.L", "sleeve.R"}
    for seam in pattern.seams:
        a, b = pattern.seam_edges(seam)
        assert abs(a.length - b.length) <= 0.1, seam  # 1 mm


def test_sizes_grade_upwards():
    widths = [tshirt_pattern(s).measurements["width"] for s in size_chart()]
    assert widths == sorted(widths) and len(set(widths)) == len(widths)


def test_mesh_keeps_pattern_and_pairs_seams():
    mesh = mesh_pattern(tshirt_pattern("M"))
    assert len(mesh.seam_pairs) > 50
    # UVs are the pattern in metres: the front panel is 56 cm wide in size M.
    start, end = mesh.ranges[0]
    assert np.ptp(mesh.uv[start:end, 0]) == pytest.approx(0.56, abs=1e-6)
    a, b, c = (mesh.uv[mesh.faces[:, i]] for i in range(3))
    cross = (b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0]
    assert (cross > 0).all()
