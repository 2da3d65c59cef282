"""Measurements against independent computations: simple shapes, and Anny bodies varied one
parameter at a time."""
import math

import numpy as np
import pytest
import trimesh

from neural.body.measurements import ORDER, measure_body
from neural.body.tape import Tape

UP = np.array([0.0, 0.0, 1.0])


def _cylinder(radius, start, end, sections=128):
    return trimesh.creation.cylinder(radius=radius, segment=[start, end], sections=sections)


def _polygon_perimeter(radius, sections=128):
    """Perimeter of the regular polygon trimesh uses for a cylinder of ``radius``."""
    return 2 * sections * radius * math.sin(math.pi / sections)


def test_cylinder_girth_is_two_pi_r_also_when_tilted():
    upright = _cylinder(0.1, [0, 0, 0], [0, 0, 1])
    assert Tape(upright.vertices, upright.faces).girth([0, 0, 0.5], UP) == pytest.approx(
        _polygon_perimeter(0.1), rel=1e-6)
    axis = np.array([1.0, 0.0, -1.0]) / math.sqrt(2)
    tilted = _cylinder(0.05, [0, 0, 1], axis * 0.6 + [0, 0, 1])
    middle = axis * 0.3 + [0, 0, 1]
    assert Tape(tilted.vertices, tilted.faces).girth(middle, axis) == pytest.approx(
        _polygon_perimeter(0.05), rel=1e-6)


def test_box_girth_and_the_loop_around_the_right_limb():
    box = trimesh.creation.box(extents=[0.3, 0.2, 1.0])
    assert Tape(box.vertices, box.faces).girth([0, 0, 0], UP) == pytest.approx(1.0)
    legs = trimesh.util.concatenate([_cylinder(0.07, [-0.1, 0, 0], [-0.1, 0, 1]),
                                     _cylinder(0.05, [0.1, 0, 0], [0.1, 0, 1])])
    tape = Tape(legs.vertices, legs.faces)
    assert tape.girth([0.1, 0, 0.5], UP) == pytest.approx(_polygon_perimeter(0.05), rel=1e-6)
    assert tape.girth([-0.1, 0, 0.5], UP) == pytest.approx(_polygon_perimeter(0.07), rel=1e-6)
    assert tape.girth([0.0, 0, 0.5], UP) == 0.0  # between the legs: nothing to measure


def test_tape_bridges_hollows():
    """A star-shaped prism's girth is the perimeter of its convex hull (its outer points)."""
    angles = np.arange(10) * math.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, 0.1, 0.04)
    star = np.stack([radii * np.cos(angles), radii * np.sin(angles)], 1)
    n = len(star)
    vertices = np.vstack([np.c_[star, np.zeros(n)], np.c_[star, np.ones(n)], [[0, 0, 0], [0, 0, 1]]])
    ring = np.arange(n)
    following = (ring + 1) % n
    faces = np.vstack([np.c_[ring, following + n, ring + n], np.c_[ring, following, following + n],
                       np.c_[np.full(n, 2 * n), following, ring],  # bottom fan
                       np.c_[np.full(n, 2 * n + 1), ring + n, following + n]])  # top fan
    outer = star[::2]
    expected = np.linalg.norm(outer - np.roll(outer, 1, 0), axis=1).sum()
    assert Tape(vertices, faces).girth([0, 0, 0.5], UP) == pytest.approx(expected)


def _revolution(profile, z0, z1, rings=121, sections=128):
    """Closed surface of revolution about the Z axis with radius ``profile(z)``."""
    z = np.linspace(z0, z1, rings)
    line = np.stack([profile(z), z], 1)
    line = np.vstack([[0.0, z0], line, [0.0, z1]])
    return trimesh.creation.revolve(line, sections=sections)


def _torso_profile(z):
    return 0.12 + 0.4 * (z - 1.05) ** 2  # narrowest (waist) at z = 1.05 m


def _capsule_figure():
    """A 1.75 m figure of a revolved torso, cylinder limbs in an A-pose, neck and head."""
    down_out = np.array([math.sin(math.radians(45)), 0.0, -math.cos(math.radians(45))])
    parts, joints = [_revolution(_torso_profile, 0.85, 1.45)], {}
    joints["neck_base"], joints["head_base"] = np.array([0, 0, 1.44]), np.array([0, 0, 1.56])
    parts += [_cylinder(0.06, [0, 0, 1.43], [0, 0, 1.57]),
              trimesh.creation.icosphere(subdivisions=4, radius=0.1).apply_translation([0, 0, 1.65])]
    for side, sign in (("L", 1.0), ("R", -1.0)):
        mirror = np.array([sign, 1.0, 1.0])
        shoulder = np.array([0.24, 0, 1.40]) * mirror
        elbow = shoulder + down_out * mirror * 0.30
        wrist = elbow + down_out * mirror * 0.25
        hip, knee, ankle = (np.array(p) * mirror for p in ([0.09, 0, 0.86], [0.09, 0, 0.45],
                                                           [0.09, 0, 0.05]))
        parts += [_cylinder(0.04, shoulder, elbow), _cylinder(0.035, elbow, wrist),
                  _cylinder(0.075, [0.09 * sign, 0, 0.45], [0.09 * sign, 0, 0.87]),
                  _cylinder(0.05, [0.09 * sign, 0, 0.0], [0.09 * sign, 0, 0.45])]
        joints |= {f"shoulder.{side}": shoulder, f"elbow.{side}": elbow,
                   f"wrist.{side}": wrist, f"hip.{side}": hip, f"knee.{side}": knee,
                   f"ankle.{side}": ankle}
    figure = trimesh.util.concatenate(parts)
    return figure.vertices, figure.faces, joints


def test_capsule_figure_measurements_match_its_geometry():
    m = measure_body(*_capsule_figure())
    assert list(m) == list(ORDER)
    cm = lambda metres: 100 * metres  # noqa: E731
    assert m["stature"] == pytest.approx(175.0, abs=0.1)
    assert m["neck_girth"] == pytest.approx(cm(_polygon_perimeter(0.06)), abs=0.2)
    assert m["waist_girth"] == pytest.approx(cm(2 * math.pi * _torso_profile(1.05)), abs=0.3)
    # chest: just under the armpit (1.40 m here); hip: just above the crotch (0.85 m)
    assert cm(2 * math.pi * _torso_profile(1.37)) <= m["chest_girth"] <= cm(
        2 * math.pi * _torso_profile(1.40))
    assert cm(2 * math.pi * _torso_profile(0.90)) <= m["hip_girth"] <= cm(
        2 * math.pi * _torso_profile(0.87))
    assert m["underbust_girth"] < m["chest_girth"]
    assert m["upper_arm_girth"] == pytest.approx(cm(_polygon_perimeter(0.04)), abs=0.2)
    assert m["thigh_girth"] == pytest.approx(cm(_polygon_perimeter(0.075)), abs=0.2)
    assert m["calf_girth"] == pytest.approx(cm(_polygon_perimeter(0.05)), abs=0.2)
    assert m["inseam"] == pytest.approx(85.0, abs=0.2)
    z = np.linspace(1.05, 1.44, 2001)
    back = np.sum(np.hypot(np.diff(z), np.diff(_torso_profile(z))))
    assert m["back_length"] == pytest.approx(cm(back), abs=1.0)


def test_shoulder_width_and_arm_length_from_the_acromion():
    """A box torso with a flat top: the acromions are its top corners above the shoulders."""
    torso = trimesh.creation.box(extents=[0.40, 0.20, 0.60]).apply_translation([0, 0, 1.15])
    torso = torso.subdivide().subdivide().subdivide()
    shoulder = np.array([0.17, 0.0, 1.40])
    elbow = shoulder + np.array([0.2, 0.0, -0.2])
    wrist = elbow + np.array([0.15, 0.0, -0.2])
    tape = Tape(*_join(torso, _cylinder(0.04, shoulder, elbow)))
    from neural.body.measurements import _acromion

    acromion = _acromion(tape, shoulder, 1.0)
    assert acromion[0] == pytest.approx(0.20, abs=0.006)
    assert acromion[2] == pytest.approx(1.45, abs=0.001)
    expected_arm = np.linalg.norm(elbow - [0.20, 0, 1.45]) + np.linalg.norm(wrist - elbow)
    from neural.body.measurements import _arm_length

    assert _arm_length(acromion, {"elbow.L": elbow, "wrist.L": wrist}, "L") == pytest.approx(
        expected_arm, abs=0.006)


def _join(*meshes):
    joined = trimesh.util.concatenate(list(meshes))
    return joined.vertices, joined.faces


@pytest.fixture(scope="module")
def measure_anny():
    from neural.body.anny_body import BodyParameters, measure_rest_body

    def measure(phenotypes=None, local_changes=None, scale=1.0):
        body = BodyParameters(local_changes=local_changes or {}, scale=scale)
        body.phenotypes.update(phenotypes or {})
        return measure_rest_body(body)

    return measure


def test_anny_measurements_are_plausible_for_an_average_adult(measure_anny):
    m = measure_anny()
    assert 150 < m["stature"] < 185
    assert 75 < m["chest_girth"] < 115 and 60 < m["waist_girth"] < 100
    assert m["waist_girth"] < m["hip_girth"] and m["waist_girth"] < m["chest_girth"]
    assert m["calf_girth"] < m["thigh_girth"] and m["upper_arm_girth"] < m["thigh_girth"]
    assert 0.40 < m["inseam"] / m["stature"] < 0.52


@pytest.mark.parametrize("phenotype, grows", [
    ("height", ("stature", "inseam", "arm_length", "back_length")),
    ("weight", ("chest_girth", "waist_girth", "hip_girth", "thigh_girth", "upper_arm_girth",
                "calf_girth", "neck_girth")),
])
def test_anny_measurements_grow_with_phenotype(measure_anny, phenotype, grows):
    low, high = measure_anny({phenotype: 0.25}), measure_anny({phenotype: 0.75})
    assert [name for name in grows if not high[name] > low[name]] == []


@pytest.mark.parametrize("change, measurement", [
    ("measure-waist-circ-incr", "waist_girth"),
    ("measure-hips-circ-incr", "hip_girth"),
    ("measure-bust-circ-incr", "chest_girth"),
    ("measure-thigh-circ-incr", "thigh_girth"),
    ("measure-shoulder-dist-incr", "shoulder_width"),
    ("neck-scale-horiz-incr", "neck_girth"),
])
def test_anny_local_change_moves_its_measurement(measure_anny, change, measurement):
    assert measure_anny(local_changes={change: 1.0})[measurement] > measure_anny(
        local_changes={change: -1.0})[measurement]


def test_anny_limb_fat_changes_both_sides(measure_anny):
    upper = {"l-upperarm-fat-incr": 1.0, "r-upperarm-fat-incr": 1.0}
    lower = {"l-lowerleg-fat-incr": 1.0, "r-lowerleg-fat-incr": 1.0}
    base = measure_anny()
    assert measure_anny(local_changes=upper)["upper_arm_girth"] > base["upper_arm_girth"]
    assert measure_anny(local_changes=lower)["calf_girth"] > base["calf_girth"]


def test_measurements_scale_with_the_body(measure_anny):
    base, larger = measure_anny(), measure_anny(scale=1.1)
    for name in ORDER:
        assert larger[name] == pytest.approx(base[name] * 1.1, rel=0.015, abs=0.3), name


def _average_man():
    from neural.body.anny_body import BodyParameters, rest_body

    body = BodyParameters()
    body.phenotypes["gender"] = 0.0
    return rest_body(body)


def test_template_landmarks_sit_where_their_definitions_say():
    """Anny's fixed landmark vertices, checked against the geometry they stand for."""
    from neural.body.anny_body import (BUTTOCK_VERTICES, UNDERBUST_VERTICES, WAIST_VERTICES,
                                       BodyParameters, rest_body)
    from neural.body.measurements import _levels

    vertices, faces, joints = _average_man()
    # waist: the smallest torso girth 52-68 % of stature (the plain-mesh rule), within 1.5 cm
    stature = vertices[:, 2].max()
    plain = _levels(Tape(vertices, faces), vertices, joints, stature, stature / 1.7, None)
    assert vertices[list(WAIST_VERTICES), 2].mean() == pytest.approx(plain.waist, abs=0.015)
    # buttocks: the furthest-back points of the body between crotch and waist, within 5 mm
    hips = vertices[(vertices[:, 2] > plain.crotch) & (vertices[:, 2] < plain.waist)]
    assert vertices[list(BUTTOCK_VERTICES), 1].mean() == pytest.approx(hips[:, 1].max(), abs=0.005)
    # under-bust: below the bust point, where the bust-girth target moves the surface about
    # half as far as at the bust point (the lower edge of what it shapes)
    bust_point = 8489
    bigger = BodyParameters(local_changes={"measure-bust-circ-incr": 1.0})
    bigger.phenotypes["gender"] = 0.0
    moved = np.linalg.norm(rest_body(bigger)[0] - vertices, axis=1)
    for index in UNDERBUST_VERTICES:
        assert vertices[index, 2] < vertices[bust_point, 2] - 0.05
        assert 0.3 < moved[index] / moved[bust_point] < 0.7


def test_arms_resting_against_the_torso_stay_out_of_its_girths(measure_anny):
    """Fat upper arms touch the chest in the A-pose; the tape still goes round the torso only."""
    fat_arms = {"l-upperarm-fat-incr": 1.0, "r-upperarm-fat-incr": 1.0,
                "l-lowerarm-fat-incr": 1.0, "r-lowerarm-fat-incr": 1.0}
    heavy = {"weight": 0.9}
    base, armed = measure_anny(heavy), measure_anny(heavy, local_changes=fat_arms)
    assert armed["upper_arm_girth"] > base["upper_arm_girth"] + 2.0
    for name in ("chest_girth", "underbust_girth", "waist_girth", "hip_girth", "thigh_girth"):
        assert armed[name] == pytest.approx(base[name], abs=0.5), name


@pytest.mark.parametrize("phenotypes, local_changes", [
    ({"gender": 1.0, "weight": 1.0, "age": 0.8}, {"stomach-pregnant-incr": 1.0}),  # round belly
    ({"gender": 0.0, "weight": 0.9}, {"measure-bust-circ-incr": 1.0}),
    ({"gender": 0.3, "weight": 0.1, "muscle": 0.9}, {}),
])
def test_measurements_move_smoothly_with_the_shape(measure_anny, phenotypes, local_changes):
    """A slightly heavier body measures slightly larger: no level jumps to another part of the
    torso (a belly without a waist, a bust as wide as the shoulders)."""
    heavier = phenotypes | {"weight": phenotypes["weight"] + 0.03}
    before, after = measure_anny(phenotypes, local_changes), measure_anny(heavier, local_changes)
    for name in ORDER:
        assert abs(after[name] - before[name]) < 2.0, name
