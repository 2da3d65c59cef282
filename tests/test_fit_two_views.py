"""`tryon fit FRONT --side SIDE`: one body fitted to a synthetic person's front and side photos."""
import json

import pytest


@pytest.fixture(scope="module")
def two_view_avatar(person_photos, tmp_path_factory):
    """The synthetic person's front + side fit: (avatar document, its folder)."""
    from neural.stages import fit_stage

    person, paths = person_photos
    folder = tmp_path_factory.mktemp("two_views") / "avatar"
    return fit_stage(paths["front"], person.measurements["stature"], folder, "cpu",
                     side_photo=paths["side"]), folder


def test_front_and_side_fit_one_body(person_photos, two_view_avatar):
    person, _ = person_photos
    height = person.measurements["stature"]
    avatar, folder = two_view_avatar
    views = avatar["diagnostics"]["views"]
    assert set(views) == {"front", "side"}
    assert min(v["silhouette_iou"] for v in views.values()) >= 0.85
    assert [p["view"] for p in avatar["source_photos"]] == ["front", "side"]
    measured = avatar["measurements"]
    assert abs(measured["stature"] - height) <= 1.0
    for name in ("chest_girth", "waist_girth", "hip_girth"):
        assert abs(measured[name] - person.measurements[name]) <= 6.0, name
    assert json.loads((folder / "avatar.json").read_text()) == avatar
    confidence = avatar["measurement_confidence"]
    assert set(confidence) == set(measured)
    assert all(entry["outline_mismatch_cm"] >= 0 for entry in confidence.values())


def _with_flared_skirt(path, out_path):
    """The photo with a flared skirt (folds shaded in) painted from the waist to below the
    knees: as wide as the body at the waist, 35 % wider on each side at the hem."""
    import cv2
    import numpy as np

    from neural.photo.person_detector import PersonDetector, load_photo

    rgb, _ = load_photo(path)
    with PersonDetector() as detector:
        seen = detector.observe(rgb, str(path))
    shoulders, hips = seen.keypoints_px[[11, 12]].mean(0), seen.keypoints_px[[23, 24]].mean(0)
    waist_u, waist_row = (shoulders + 0.7 * (hips - shoulders)).astype(int)
    hem_row = int(seen.keypoints_px[[25, 26], 1].mean() * 1.15 - 0.15 * hips[1])
    inside = seen.mask[waist_row] >= 0.5
    left, right = waist_u, waist_u
    while left > 0 and inside[left - 1]:
        left -= 1
    while right < len(inside) - 1 and inside[right + 1]:
        right += 1
    flare = int(0.35 * (right - left))
    outline = np.array([[left, waist_row], [right, waist_row], [right + flare, hem_row],
                        [left - flare, hem_row]], np.int32)
    area = cv2.fillPoly(np.zeros(rgb.shape[:2], np.uint8), [outline], 1).astype(bool)
    columns = np.arange(rgb.shape[1])[None, :].repeat(rgb.shape[0], 0)
    folds = 0.75 + 0.25 * np.cos(columns / 6.0)  # soft vertical folds
    cloth = np.array([60.0, 75.0, 125.0])[None, None] * folds[..., None]
    painted = rgb.copy()
    painted[area] = cloth[area].astype(np.uint8)
    cv2.imwrite(str(out_path), cv2.cvtColor(painted, cv2.COLOR_RGB2BGR))
    return out_path


def test_loose_clothing_is_flagged_not_silent(person_photos, two_view_avatar, tmp_path):
    """Under a skirt the thighs' outline is the skirt's: the thigh girth's outline mismatch
    grows, and no girth that went wrong by more than 4 cm is reported with high confidence."""
    from neural.stages import fit_stage

    person, paths = person_photos
    skirted = {view: _with_flared_skirt(path, tmp_path / f"{view}_skirt.png")
               for view, path in paths.items()}
    clean, _ = two_view_avatar
    loose = fit_stage(skirted["front"], person.measurements["stature"], tmp_path / "loose", "cpu",
                      side_photo=skirted["side"])
    before, after = clean["measurement_confidence"], loose["measurement_confidence"]
    assert after["thigh_girth"]["outline_mismatch_cm"] >= (
        before["thigh_girth"]["outline_mismatch_cm"] + 3.0)
    assert (loose["clothing_seen"]["thighs"]["outline_excess_cm"]
            > clean["clothing_seen"]["thighs"]["outline_excess_cm"])
    assert clean["clothing_seen"]["chest"]["looks"] == "fitted"
    calibrated = after["thigh_girth"]["uncertainty_cm"] is not None
    if calibrated:
        assert after["thigh_girth"]["uncertainty_cm"] > before["thigh_girth"]["uncertainty_cm"]
        for name, entry in after.items():
            if abs(loose["measurements"][name] - person.measurements[name]) > 4.0:
                assert entry["confidence"] != "high", name
