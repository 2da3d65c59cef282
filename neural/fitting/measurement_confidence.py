"""How far each measurement of a fitted avatar can be trusted, in centimetres.

Two parts, combined in quadrature:
- the method's own spread: the 90th-percentile absolute error per measurement found by
  ``make bench-avatar`` on the held-out synthetic people (close-fitting clothes), for front-only
  or front + side fits (``data/measurement_uncertainty.json``);
- what the photo says about this person: where the fitted body's outline does not match the
  person's outline across a girth's band of the body (loose clothing, a bag, hair, a bad mask),
  the unexplained width (cm, summed over the views) times pi/2 — a girth changes by about pi/2
  per centimetre of width in one view (the perimeter of an ellipse is about pi (a + b)) —
  beyond what is typical on the benchmark (its median, also in the calibration file).
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

CALIBRATION = Path(__file__).parent / "data" / "measurement_uncertainty.json"
# COCO keypoints of the fitted body (Anny's regressor): shoulders, hips, knees, ankles (l, r)
SHOULDERS, HIPS, KNEES, ANKLES = (5, 6), (11, 12), (13, 14), (15, 16)
# girth -> (from, to, first and last fraction of the way): the image rows where it is taken
BANDS = {
    "chest_girth": (SHOULDERS, HIPS, 0.20, 0.40),
    "underbust_girth": (SHOULDERS, HIPS, 0.35, 0.50),
    "waist_girth": (SHOULDERS, HIPS, 0.55, 0.80),
    "hip_girth": (SHOULDERS, HIPS, 0.95, 1.15),
    "thigh_girth": (HIPS, KNEES, 0.10, 0.35),
    "calf_girth": (KNEES, ANKLES, 0.25, 0.50),
}
LEG_GIRTHS = ("thigh_girth", "calf_girth")  # a row crosses both legs: half the width is one leg
HIGH, MEDIUM = 2.0, 4.0  # cm: uncertainty up to HIGH is "high" confidence, up to MEDIUM "medium"


@functools.lru_cache(maxsize=1)
def calibration() -> dict:
    """{"p90_cm": {mode: {measurement: cm}}, "typical_outline_mismatch_cm": {mode: {...}}} for
    modes "front" and "front+side"; {} before calibration."""
    if not CALIBRATION.is_file():
        return {}
    return json.loads(CALIBRATION.read_text())


def band_width_residual_cm(mask: np.ndarray, silhouette: np.ndarray, keypoints_px: np.ndarray,
                           band: tuple, pixels_per_cm: float) -> float:
    """Mean over the band's image rows of |person width - body width| (cm); ``mask`` and
    ``silhouette`` (H, W) at one resolution, ``keypoints_px`` the fitted body's COCO keypoints
    at that resolution."""
    start, end, first, last = band
    top = keypoints_px[list(start), 1].mean()
    bottom = keypoints_px[list(end), 1].mean()
    rows = np.arange(int(round(top + first * (bottom - top))),
                     int(round(top + last * (bottom - top))) + 1)
    rows = rows[(rows >= 0) & (rows < mask.shape[0])]
    if not len(rows):
        return 0.0
    person = (mask[rows] >= 0.5).sum(1)
    body = silhouette[rows].sum(1)
    return float(np.abs(person - body).mean()) / pixels_per_cm


def measurement_uncertainty(measurements: dict[str, float], views: dict, mode: str
                            ) -> dict[str, dict]:
    """{measurement: {"uncertainty_cm", "confidence"}} for one fit; ``views`` maps view names to
    ``ViewFit``s (their mask, silhouette, keypoints and scale), ``mode`` "front" or "front+side"."""
    table = calibration()
    spread = table.get("p90_cm", {}).get(mode, {})
    typical = table.get("typical_outline_mismatch_cm", {}).get(mode, {})
    out = {}
    for name in measurements:
        mismatch = 0.0
        if name in BANDS:
            widths = [band_width_residual_cm(view.mask, view.silhouette, view.keypoints_fit_px,
                                             BANDS[name], view.pixels_per_cm)
                      for view in views.values()]
            mismatch = np.pi / 2 * sum(widths) * (0.5 if name in LEG_GIRTHS else 1.0)
        entry = {"outline_mismatch_cm": round(float(mismatch), 2)}
        base = spread.get(name)
        if base is None:  # not calibrated yet: only the photo's part is known
            out[name] = entry | {"uncertainty_cm": None, "confidence": "unknown"}
            continue
        total = float(np.hypot(base, max(0.0, mismatch - typical.get(name, 0.0))))
        out[name] = entry | {
            "uncertainty_cm": round(total, 2),
            "confidence": "high" if total <= HIGH else "medium" if total <= MEDIUM else "low"}
    return out
