"""Per-measurement 90 % intervals in avatar.json: an expected error that grows with how much of
the body the photo hides, times calibrated conformal bounds (``fit_calibration``)."""
from types import SimpleNamespace

import numpy as np

from neural.fitting import measurement_confidence


def _view(extra_width_px: int) -> SimpleNamespace:
    """A 40 px wide torso the fitted body fills, the person ``extra_width_px`` wider."""
    silhouette = np.zeros((200, 100), bool)
    silhouette[20:180, 30:70] = True
    mask = np.zeros((200, 100), np.float32)
    mask[20:180, 30 - extra_width_px // 2:70 + extra_width_px // 2] = 1.0
    keypoints = np.zeros((17, 2))
    keypoints[[5, 6]] = [[40, 30], [60, 30]]  # shoulders
    keypoints[[11, 12]] = [[40, 110], [60, 110]]  # hips
    keypoints[[13, 14]] = [[40, 140], [60, 140]]
    keypoints[[15, 16]] = [[40, 175], [60, 175]]
    return SimpleNamespace(mask=mask, silhouette=silhouette, keypoints_fit_px=keypoints,
                           pixels_per_cm=1.0)


TABLE = {"modes": {"front": {"hidden_cap_cm": 20.0, "measurements": {"waist_girth": {
    "expected_error_cm": [2.0, 0.25], "score_bounds": [-1.5, 2.0]}}}}}


def test_intervals_widen_with_what_the_photo_hides_up_to_the_cap(monkeypatch):
    monkeypatch.setattr(measurement_confidence, "calibration", lambda: TABLE)

    def waist(extra_px: int) -> dict:
        return measurement_confidence.measurement_uncertainty(
            {"waist_girth": 80.0}, {"front": _view(extra_px)}, "front")["waist_girth"]

    fitted = waist(0)
    assert fitted["interval_cm"] == [76.0, 83.0]  # 80 - 2 * 2 .. 80 + 1.5 * 2
    assert fitted["uncertainty_cm"] == 3.5 and fitted["confidence"] == "medium"
    loose = waist(4)  # 4 cm wider in one view: ~6.3 cm of girth hidden
    hidden = np.pi / 2 * 4
    scale = 2.0 + 0.25 * hidden
    assert loose["interval_cm"] == [round(80 - 2.0 * scale, 1), round(80 + 1.5 * scale, 1)]
    assert loose["confidence"] == "low"
    capped, beyond = waist(14), waist(30)  # both hide more than the cap's 20 cm
    assert capped["interval_cm"] == beyond["interval_cm"] == [66.0, 90.5]  # scale 2 + 5


def test_without_calibration_there_is_no_interval(monkeypatch):
    monkeypatch.setattr(measurement_confidence, "calibration", lambda: {})
    fitted = measurement_confidence.measurement_uncertainty({"waist_girth": 80.0},
                                                            {"front": _view(0)}, "front")
    assert fitted["waist_girth"]["interval_cm"] is None
    assert fitted["waist_girth"]["confidence"] == "unknown"


def _photos(rng: np.random.Generator, count: int) -> tuple[np.ndarray, list[dict]]:
    """Signed errors whose spread grows with the hidden outline, as on dressed people: half
    the photos in close-fitting clothes (little hidden), half dressed."""
    hidden = np.where(rng.uniform(size=count) < 0.5, rng.uniform(0, 6, count),
                      rng.uniform(10, 50, count))
    errors = rng.normal(1.0, 1.0 + 0.15 * np.minimum(hidden, 30), count)
    return errors, [{"waist_girth": h} for h in hidden]


def test_calibration_holds_the_truth_for_about_90_percent_of_new_photos():
    rng = np.random.default_rng(0)
    errors, mismatch = _photos(rng, 400)
    table = measurement_confidence.fit_calibration({"waist_girth": errors}, mismatch)
    new_errors, new_mismatch = _photos(rng, 4000)
    model = table["measurements"]["waist_girth"]
    hidden = np.array([row["waist_girth"] for row in new_mismatch])
    bounds = np.array([measurement_confidence.error_bounds(model, min(h, table["hidden_cap_cm"]))
                       for h in hidden])
    inside = (new_errors >= bounds[:, 0]) & (new_errors <= bounds[:, 1])
    tight, dressed = hidden < 6, hidden >= 10
    assert 0.85 <= inside.mean() <= 0.95
    assert inside[tight].mean() >= 0.85 and inside[dressed].mean() >= 0.8
    widths = bounds[:, 1] - bounds[:, 0]
    assert widths[tight].mean() < 0.5 * widths[dressed].mean()
