"""Fitting the example photo with the real mediapipe + Anny stack."""
import json

import numpy as np

from tests.conftest import HEIGHT_CM


def test_fit_matches_silhouette_and_height(avatar_dir):
    avatar = json.loads((avatar_dir / "avatar.json").read_text())
    assert avatar["diagnostics"]["silhouette_iou"] >= 0.80
    assert abs(avatar["measurements"]["stature"] - HEIGHT_CM) <= 1.0
    for name in ("stature", "chest_girth", "waist_girth", "hip_girth", "inseam", "shoulder_width"):
        assert name in avatar["measurement_definitions"]
    m = avatar["measurements"]
    assert 60 < m["waist_girth"] < m["chest_girth"] < 140
    assert 0.4 * HEIGHT_CM < m["inseam"] < 0.55 * HEIGHT_CM
    assert "photo" not in json.dumps(avatar).lower().replace("source_photos", "")


def test_the_slim_man_under_the_hoodie(avatar_dir):
    """The example photo's man is slim in a roomy hoodie: the body under it, not the hoodie's
    volume (the outline reads a chest of about 120 cm), and the hoodie seen as loose."""
    avatar = json.loads((avatar_dir / "avatar.json").read_text())
    assert avatar["measurements"]["chest_girth"] < 105
    assert avatar["clothing_seen"]["chest"]["looks"] == "loose"
    low, high = avatar["measurement_confidence"]["chest_girth"]["interval_cm"]
    assert low < avatar["measurements"]["chest_girth"] < high


def test_avatar_glb_is_the_measured_body(avatar_dir):
    from neural.mesh_io import read_glb

    vertices, faces, _ = read_glb(avatar_dir / "avatar.glb")["body"]
    assert len(faces) > 20000
    assert abs((np.ptp(vertices[:, 2])) * 100 - HEIGHT_CM) < 1.0
