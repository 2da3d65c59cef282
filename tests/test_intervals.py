"""Per-measurement 90 % intervals in avatar.json: the calibrated signed errors (the widest over
the held-out splits) moved to the measurement, widened where the photo hides the body."""
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


def test_intervals_take_the_widest_split_and_widen_where_the_photo_hides(monkeypatch):
    table = {"splits": {
        "test": {"p90_cm": {"front": {"waist_girth": 3.0}},
                 "typical_outline_mismatch_cm": {"front": {"waist_girth": 0.0}},
                 "signed_error_quantiles_cm": {"front": {"waist_girth": [-2.0, 2.5]}}},
        "dressed_test": {"p90_cm": {"front": {"waist_girth": 8.0}},
                         "signed_error_quantiles_cm": {"front": {"waist_girth": [-1.0, 9.0]}}}}}
    monkeypatch.setattr(measurement_confidence, "calibration", lambda: table)
    fitted = measurement_confidence.measurement_uncertainty({"waist_girth": 80.0},
                                                            {"front": _view(0)}, "front")
    assert fitted["waist_girth"]["interval_cm"] == [71.0, 82.0]  # 80 - 9 .. 80 + 2
    assert fitted["waist_girth"]["uncertainty_cm"] == 8.0  # the larger split's p90
    loose = measurement_confidence.measurement_uncertainty({"waist_girth": 80.0},
                                                           {"front": _view(10)}, "front")
    low, high = loose["waist_girth"]["interval_cm"]
    assert low < 71.0 and high > 82.0 and high - 82.0 == 71.0 - low  # 10 px hidden, each side


def test_without_calibration_there_is_no_interval(monkeypatch):
    monkeypatch.setattr(measurement_confidence, "calibration", lambda: {"splits": {"test": {
        "p90_cm": {"front": {"waist_girth": 3.0}}}}})
    fitted = measurement_confidence.measurement_uncertainty({"waist_girth": 80.0},
                                                            {"front": _view(0)}, "front")
    assert fitted["waist_girth"]["interval_cm"] is None
