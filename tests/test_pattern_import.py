"""Importing GarmentCode / Garment-Pattern-Generator specifications and draping them."""
import json
from pathlib import Path

import numpy as np
import pytest

from neural.errors import InputError
from neural.garments.meshing import mesh_pattern
from neural.garments.spec_import import read_pattern_spec

DATA = Path(__file__).parent / "data" / "corpus"
SHIRT = DATA / "garmentcode" / "shirt_mean_specification.json"
HOODY = DATA / "garmentcode" / "hoody_mean_specification.json"  # a sleeveless vest with a hood drawn standing up
SKIRT = DATA / "garment_pattern_generator" / "skirt_4_panels.json"


def test_shirt_panels_sleeves_and_anchor():
    pattern = read_pattern_spec(SHIRT)
    assert len(pattern.panels) == 8 and len(pattern.seams) == 18
    tags = {p.name: p.placement for p in pattern.panels}
    assert {n for n, t in tags.items() if t == "sleeve.L"} == {"left_sleeve_f", "left_sleeve_b"}
    assert {n for n, t in tags.items() if t == "sleeve.R"} == {"right_sleeve_f", "right_sleeve_b"}
    assert tags["left_ftorso"] == "front" and tags["right_btorso"] == "back"
    assert pattern.anchor == "shoulders"
    # GarmentCode designs stitched edges to equal length; curves must keep that (cm)
    for seam in pattern.seams:
        a, b = pattern.seam_edges(seam)
        assert abs(a.length - b.length) < 0.2, seam
    # every panel's normal points away from the body (the layout's outside)
    for panel in pattern.panels:
        centre = panel.layout.place(panel.outline()).mean(0)
        if panel.placement in ("front", "back"):
            assert np.sign(panel.layout.normal[1]) == (1 if panel.placement == "back" else -1)
        assert np.isfinite(centre).all()


def test_shirt_seams_meet_in_the_layout():
    """After import each seam's paired points start close in 3D: the direction is right."""
    pattern = read_pattern_spec(SHIRT)
    mesh = mesh_pattern(pattern)
    placed = np.zeros((len(mesh.uv), 3))
    for panel, (start, end) in zip(pattern.panels, mesh.ranges):
        placed[start:end] = panel.layout.place(mesh.uv[start:end] * 100)
    for seam_id, seam in enumerate(pattern.seams):
        pairs = mesh.seam_pairs[mesh.seam_ids == seam_id]
        gaps = np.linalg.norm(placed[pairs[:, 0]] - placed[pairs[:, 1]], axis=1)
        reversed_gaps = np.linalg.norm(placed[pairs[:, 0]] - placed[pairs[::-1, 1]], axis=1)
        assert gaps.mean() <= reversed_gaps.mean() + 1e-9, seam


def test_hood_neckline_is_sewn_nape_to_centre_back():
    """The hood stands above the shoulders in its design, its neckline's ends about as far from
    either end of the back's: the seam's direction must come from the panels' winding, or the
    hood's nape is sewn to the shoulder and the seam twists."""
    pattern = read_pattern_spec(HOODY)
    for side in ("left", "right"):
        seam = next(s for s in pattern.seams
                    if {s.a[0], s.b[0]} == {f"{side}_btorso", f"{side}_hood"})
        back, hood = (pattern.seam_edges(seam) if seam.a[0].endswith("btorso")
                      else pattern.seam_edges(seam)[::-1])
        back_ends = back.points[[0, -1]]
        hood_ends = hood.points[[0, -1]] if seam.same_direction else hood.points[[-1, 0]]
        centre_back = np.argmin(np.abs(back_ends[:, 0]))  # the back's end on x = 0
        # the hood's end there is its nape: where its centre seam (sewn to the other hood) starts
        centre_seam = next(s for s in pattern.seams if {s.a[0], s.b[0]} == {"left_hood",
                                                                             "right_hood"}
                           and pattern.seam_edges(s)[0].length > 30)
        edge = dict([centre_seam.a, centre_seam.b])[f"{side}_hood"]
        ends = pattern.panel(f"{side}_hood").edge(edge).points[[0, -1]]
        assert np.min(np.linalg.norm(ends - hood_ends[centre_back], axis=1)) < 1e-6


def test_skirt_hangs_from_the_waist_and_accepts_unequal_seams():
    pattern = read_pattern_spec(SKIRT)
    assert pattern.anchor == "waist"
    assert sorted(p.placement for p in pattern.panels) == ["back", "front", "side", "side"]
    lengths = [abs(np.subtract(*[e.length for e in pattern.seam_edges(s)])) for s in pattern.seams]
    assert max(lengths) > 0.5  # this pattern's side seams differ by about 2 %
    mesh = mesh_pattern(pattern)
    assert len(mesh.seam_pairs) > 50


def _spec(edges, vertices, units=100):
    return {"pattern": {"panels": {"p": {"translation": [0, 100, 10], "rotation": [0, 0, 0],
                                         "vertices": vertices, "edges": edges}},
                        "stitches": [[{"panel": "p", "edge": 0}, {"panel": "p", "edge": 2}]]},
            "properties": {"units_in_meter": units}}


def test_curves_match_their_definitions(tmp_path):
    square = [[0, 0], [20, 0], [20, 20], [0, 20]]
    edges = [{"endpoints": [0, 1], "curvature": {"type": "quadratic", "params": [[0.5, 0.25]]}},
             {"endpoints": [1, 2], "curvature": {"type": "circle", "params": [10, 0, 1]}},
             {"endpoints": [2, 3]},
             {"endpoints": [3, 0], "curvature": [0.5, -0.25]}]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(_spec(edges, square)))
    panel = read_pattern_spec(path).panels[0]
    e0, e1, _, e3 = (panel.edge(f"e{i}") for i in range(4))
    unmirror = np.array([np.sign(e0.points[-1, 0]), 1.0])  # import may mirror a panel's x
    # quadratic Bezier with control (10, 5): its apex is halfway to the control point
    assert e0.points[len(e0.points) // 2] * unmirror == pytest.approx([10, 2.5], abs=0.05)
    # a circle of radius 10 over a 20 cm chord is a half circle (length pi * 10) round (20, 10)
    assert e1.length == pytest.approx(np.pi * 10, rel=2e-3)
    assert np.linalg.norm(e1.points * unmirror - [20, 10], axis=1) == pytest.approx(10, abs=1e-6)
    assert (e1.points * unmirror)[:, 0].max() == pytest.approx(30, abs=0.05)  # bulges right
    # the list form is Garment-Pattern-Generator's quadratic: control (-5, 10), apex (-2.5, 10)
    assert e3.points[len(e3.points) // 2] * unmirror == pytest.approx([-2.5, 10], abs=0.05)


def test_units_in_meter_scale_the_pattern(tmp_path):
    square = [[0, 0], [60, 0], [60, 60], [0, 60]]
    edges = [{"endpoints": [i, (i + 1) % 4]} for i in range(4)]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(_spec(edges, square, units=300)))
    assert read_pattern_spec(path).panels[0].edge("e0").length == pytest.approx(20.0)


@pytest.mark.parametrize("content, message", [
    ("not json", "not valid JSON"),
    ('{"pattern": {}}', "not a GarmentCode pattern"),
    ('{"pattern": {"panels": {}, "stitches": []}}', "no panels"),
])
def test_bad_specs_are_refused_with_a_reason(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_pattern_spec(path)


def test_stitch_to_a_missing_edge_is_refused(tmp_path):
    square = [[0, 0], [20, 0], [20, 20], [0, 20]]
    spec = _spec([{"endpoints": [i, (i + 1) % 4]} for i in range(4)], square)
    spec["pattern"]["stitches"] = [[{"panel": "p", "edge": 0}, {"panel": "q", "edge": 1}]]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec))
    with pytest.raises(InputError, match="does not exist"):
        read_pattern_spec(path)


def test_an_open_fronts_halves_are_body_panels_and_it_hangs_from_the_shoulders():
    """The GPG hooded jacket's front halves sit off the midline facing front, as sleeves do,
    but are sewn to the back at the side and the shoulder: body panels (as sleeves, the jacket
    hung from the waist and its hood was wrapped round the chest)."""
    pattern = read_pattern_spec(DATA / "garment_pattern_generator" / "jacket_hood.json")
    placements = {panel.name: panel.placement for panel in pattern.panels}
    assert placements["front_left"] == placements["front_right"] == "front"
    assert {placements[name] for name in ("lfsleeve", "lbsleeve")} == {"sleeve.L"}
    assert {placements[name] for name in ("rfsleeve", "rbsleeve")} == {"sleeve.R"}
    assert pattern.anchor == "shoulders"


@pytest.mark.parametrize("spec, anchor", [
    ("garmentcode/flare_skirt_specification.json", "waist"),  # side seams flare out, slanting
    ("garment_pattern_generator/skirt_8_panels.json", "waist"),
    ("garment_pattern_generator/jumpsuit.json", "shoulders"),
    ("garmentcode/dress_pencil_specification.json", "shoulders"),
])
def test_a_garment_hangs_from_its_shoulders_or_its_waist(spec, anchor):
    assert read_pattern_spec(DATA / spec).anchor == anchor


def test_stitches_sewn_right_side_to_wrong_side_turn_the_other_way(tmp_path):
    """GarmentCode's standing collar: two stitches carry "right_wrong"; they are read, and sewn
    the other way round than the same stitches without the flag."""
    source = DATA / "garmentcode" / "standing_lapel_specification.json"
    spec = json.loads(source.read_text())
    flagged = [i for i, stitch in enumerate(spec["pattern"]["stitches"]) if len(stitch) == 3]
    assert len(flagged) == 2
    for stitch in spec["pattern"]["stitches"]:
        del stitch[2:]
    (tmp_path / "plain.json").write_text(json.dumps(spec))
    as_flagged = read_pattern_spec(source).seams
    plain = read_pattern_spec(tmp_path / "plain.json").seams
    differ = [i for i, (a, b) in enumerate(zip(as_flagged, plain))
              if a.same_direction != b.same_direction]
    assert differ == flagged


def test_an_eight_gore_skirts_side_gores_are_not_trouser_legs(average_avatar):
    """Its side gores lie to one side of the midline below the crotch, as trouser legs do, but
    are sewn gore by gore to the front and back that straddle it: wrapped round the legs, they
    collapsed onto one another (zero-area triangles that the solver drops, then crashed on)."""
    from neural.drape.drape_garment import prepare_drape
    from neural.stages import pattern_garment_stage

    garment = average_avatar.parent / "skirt_8"
    pattern_garment_stage(DATA / "garment_pattern_generator" / "skirt_8_panels.json", "cotton",
                          garment)
    setup = prepare_drape(average_avatar, garment)
    corners = setup.start_positions[setup.mesh.faces]
    areas = np.linalg.norm(np.cross(corners[:, 1] - corners[:, 0],
                                    corners[:, 2] - corners[:, 0]), axis=1) / 2
    assert areas.min() > 1e-6  # m^2: every triangle keeps its area


@pytest.fixture(scope="module")
def average_avatar(tmp_path_factory):
    from neural.body.anny_body import BodyParameters
    from neural.fitting.avatar_file import write_body_avatar

    out = tmp_path_factory.mktemp("average_avatar")
    write_body_avatar(out, BodyParameters(), "Anny's average body (all phenotypes 0.5)")
    return out


@pytest.mark.parametrize("spec", [SHIRT, HOODY, SKIRT],
                         ids=["garmentcode-shirt", "garmentcode-hoody", "gpg-skirt"])
def test_imported_pattern_drapes_and_passes_the_gates(tmp_path, average_avatar, spec):
    from neural.garments.garment_file import read_garment
    from neural.stages import drape_stage, pattern_garment_stage

    garment = pattern_garment_stage(spec, "cotton", tmp_path / "garment")
    _, uv, faces, pairs = read_garment(tmp_path / "garment")
    assert len(uv) == garment["mesh"]["vertex_count"] and len(pairs) > 50
    fit = drape_stage(average_avatar, tmp_path / "garment", tmp_path / "drape", "cpu")
    failed = {name: gate["value"] for name, gate in fit["gates"].items() if not gate["pass"]}
    assert not failed, f"quality gates failed: {failed}"
    assert fit["vertices_inside_body"] == 0
