"""Importing garment meshes whose UV islands are the sewing pattern (garment CAD exports)."""
from pathlib import Path

import numpy as np
import pytest

from neural.errors import InputError
from neural.garments.mesh_import import read_pattern_mesh

DATA = Path(__file__).parent / "data" / "corpus"
GPG_TEE = DATA / "garment_pattern_generator" / "tee_sim.obj"  # 1/300 m, pattern-unit UVs, two-piece sleeves
DIFFAVATAR_TEE = DATA / "diffavatar" / "tshirt.obj"  # cm, UVs packed into [0, 1], tube sleeves


def _sizes(pattern):
    return {p.placement: np.ptp(p.outline(), axis=0) for p in pattern.panels}


def test_two_piece_sleeve_tee():
    pattern = read_pattern_mesh(GPG_TEE)
    assert sorted(p.placement for p in pattern.panels) == [
        "back", "front", "sleeve.L", "sleeve.L", "sleeve.R", "sleeve.R"]
    assert len(pattern.seams) == 12 and pattern.anchor == "shoulders"
    # the unit is guessed (1/300 m): the body panels are about 69 cm long
    assert _sizes(pattern)["back"][1] == pytest.approx(68.8, abs=1.0)
    for seam in pattern.seams:  # sewn edges come from the same 3D edges: equal length
        a, b = pattern.seam_edges(seam)
        assert a.length == pytest.approx(b.length, rel=0.03), seam


def test_tube_sleeves_and_packed_uvs():
    pattern = read_pattern_mesh(DIFFAVATAR_TEE)
    placements = sorted(p.placement for p in pattern.panels)
    assert placements == ["back", "front", "sleeve.L", "sleeve.R"]
    tubes = [s for s in pattern.seams if s.a[0] == s.b[0]]
    assert len(tubes) == 2  # each sleeve is one panel sewn to itself
    # UVs packed into [0, 1]: the scale comes from the 3D edges (cm mesh) -> about 50 x 66 cm
    assert _sizes(pattern)["front"] == pytest.approx([49.9, 66.4], abs=1.0)


def test_explicit_unit_and_up_axis():
    scaled = read_pattern_mesh(DIFFAVATAR_TEE, metres_per_unit=0.02)  # pretend 2 cm units
    assert _sizes(scaled)["front"] == pytest.approx(2 * np.array([49.9, 66.4]), abs=2.0)
    with pytest.raises(InputError, match="up axis"):
        read_pattern_mesh(DIFFAVATAR_TEE, up="x")


@pytest.mark.parametrize("pose", ["raised", "lowered"])
def test_sleeves_are_found_whatever_the_sources_arms(tmp_path, pose):
    """The DiffAvatar t-shirt as exported with the avatar's arms raised towards a T-pose or
    lowered towards the sides: its tube sleeves are still sleeves (lowered, they sat within
    20 cm of the midline and were wrapped round the trunk as side panels)."""
    from tests.benchmarks.garment_variants import posed_variant

    mesh = posed_variant(DIFFAVATAR_TEE, "y", pose, tmp_path / f"{pose}.obj")
    placements = sorted(panel.placement for panel in read_pattern_mesh(mesh).panels)
    assert placements == ["back", "front", "sleeve.L", "sleeve.R"]


@pytest.mark.parametrize("name, content, message", [
    ("no_uv.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", "no UVs"),
    ("empty.obj", "v 0 0 0\n", "no faces"),
    ("mesh.stl", "solid x\n", "must be .obj"),
    # a quad whose second triangle's UVs are mirrored onto the first: a texture layout
    ("folded.obj", "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n"
                   "f 1/1 2/2 3/3\nf 1/1 3/3 4/2\n", "island 0 folds over itself"),
    ("flat.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nvt 0 0\nvt 0 0\nvt 0 0\n"
                 "f 1/1 2/2 3/3\nf 2/2 4/3 3/1\n", "has no area"),
])
def test_bad_meshes_are_refused_with_a_reason(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_pattern_mesh(path)


@pytest.mark.parametrize("mesh, gender", [(GPG_TEE, 1.0), (DIFFAVATAR_TEE, 0.0),
                                          (DIFFAVATAR_TEE, 1.0)],
                         ids=["gpg-tee-woman", "diffavatar-tee-man", "diffavatar-tee-woman"])
def test_imported_mesh_drapes_and_passes_the_gates(tmp_path, mesh, gender):
    """The GPG tee (made for a woman's body, two-piece sleeves) and the DiffAvatar tee (tube
    sleeves) on Anny's average woman / man."""
    from neural.stages import drape_stage, mesh_garment_stage
    from tests.conftest import write_average_avatar

    write_average_avatar(tmp_path / "avatar", gender=gender)
    mesh_garment_stage(mesh, "cotton", tmp_path / "garment")
    fit = drape_stage(tmp_path / "avatar", tmp_path / "garment", tmp_path / "drape", "cpu")
    failed = {name: gate["value"] for name, gate in fit["gates"].items() if not gate["pass"]}
    assert not failed, f"quality gates failed: {failed}"
