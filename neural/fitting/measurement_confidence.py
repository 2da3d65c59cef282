"""How far each measurement of a fitted avatar can be trusted, in centimetres.

What the photo says about this person: where the fitted body's outline does not match the
person's outline across a girth's band of the body (loose clothing, a bag, hair, a bad mask),
the unexplained width of the body part (cm, summed over the views; per image row, the run of
pixels through the part's centre line, so hands beside the hips do not count) times pi/2 — a
girth changes by about pi/2 per centimetre of width in one view (the perimeter of an ellipse is
about pi (a + b)). The largest of these over the girth bands (``hidden_cm``) is how much of the
body the photo hides: the shape network reads the whole outline, so clothing anywhere can move
every measurement.

Each measurement gets a 90 % interval (cm), calibrated on the held-out synthetic splits (close-
fitting clothes and dressed people; ``fit_calibration``, run by ``make bench-avatar``): the
error expected for a photo that hides this much (a line in ``hidden_cm``, counted up to a cap,
fitted to the absolute errors) scales the bounds of the signed error (fitted - true) per unit of
that expectation which leave out 5 % of people on each side (split-conformal order statistics,
so a small calibration set errs wide). A photo in close-fitting clothes gets a narrow interval,
one that hides the body a wide one. ``uncertainty_cm`` is the interval's half-width.

What the fit believes the person wears (``clothing_seen``): per region (chest, waist, hips,
thighs), "loose" where the outline stands off the fitted body by more than ``LOOSE_CM`` of girth
per view, else "fitted".
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
    "hip_girth": (SHOULDERS, HIPS, 0.85, 1.02),
    "thigh_girth": (HIPS, KNEES, 0.10, 0.35),
    "calf_girth": (KNEES, ANKLES, 0.25, 0.50),
}
LEG_GIRTHS = ("thigh_girth", "calf_girth")  # measured on each leg's centre line, averaged
HIGH, MEDIUM = 2.0, 4.0  # cm: uncertainty up to HIGH is "high" confidence, up to MEDIUM "medium"
MISS = 0.05  # share of people an interval may leave out on each side
CAP_PERCENTILE = 75  # hidden_cm counts up to this percentile of the calibration photos' own
SCALE_FLOOR_CM = 0.3  # the least expected error, so no interval collapses to a point
LOOSE_CM = 6.0  # girth (cm) per view the outline may stand off the fitted body and look fitted
REGIONS = {"chest": "chest_girth", "waist": "waist_girth", "hips": "hip_girth",
           "thighs": "thigh_girth"}


@functools.lru_cache(maxsize=1)
def calibration() -> dict:
    """{"splits": {split: people}, "modes": {mode: {"hidden_cap_cm", "measurements": {name:
    {"expected_error_cm": [at no hidden body, per cm hidden], "score_bounds": [low, high]}}}}}
    for modes "front" and "front+side" (``fit_calibration``); {} before calibration."""
    if not CALIBRATION.is_file():
        return {}
    return json.loads(CALIBRATION.read_text())


def band_width_residual_cm(mask: np.ndarray, silhouette: np.ndarray, keypoints_px: np.ndarray,
                           band: tuple, pixels_per_cm: float, per_leg: bool = False) -> float:
    """Mean over the band's image rows of |person width - body width| (cm) of the body part
    whose centre line runs between the band's keypoints (each leg's, averaged, when
    ``per_leg``); ``mask`` and ``silhouette`` (H, W) at one resolution, ``keypoints_px`` the
    fitted body's COCO keypoints at that resolution."""
    start, end, first, last = band
    pairs = [(keypoints_px[a], keypoints_px[b]) for a, b in zip(start, end)] if per_leg else [
        (keypoints_px[list(start)].mean(0), keypoints_px[list(end)].mean(0))]
    residuals = []
    for top, bottom in pairs:
        for fraction in np.linspace(first, last, 8):
            u, v = np.rint(top + fraction * (bottom - top)).astype(int)
            if not 0 <= v < mask.shape[0]:
                continue
            person = _run_width(mask[v] >= 0.5, u)
            body = _run_width(silhouette[v].astype(bool), u)
            residuals.append(abs(person - body))
    return float(np.mean(residuals)) / pixels_per_cm if residuals else 0.0


def _run_width(row: np.ndarray, column: int) -> int:
    """Length of the run of True pixels through ``column`` (0 where it is False)."""
    if not 0 <= column < len(row) or not row[column]:
        return 0
    gaps = np.flatnonzero(~row)
    left = gaps[gaps < column]
    right = gaps[gaps > column]
    return int((right[0] if len(right) else len(row)) - (left[-1] + 1 if len(left) else 0))


def measurement_uncertainty(measurements: dict[str, float], views: dict, mode: str
                            ) -> dict[str, dict]:
    """{measurement: {"outline_mismatch_cm", "uncertainty_cm", "confidence", "interval_cm"}}
    for one fit; ``views`` maps view names to ``ViewFit``s (their mask, silhouette, keypoints
    and scale), ``mode`` "front" or "front+side". Without a calibration for ``mode`` the
    uncertainty and interval are None."""
    mismatch = {name: np.pi / 2 * sum(
        band_width_residual_cm(view.mask, view.silhouette, view.keypoints_fit_px, band,
                               view.pixels_per_cm, per_leg=name in LEG_GIRTHS)
        for view in views.values()) for name, band in BANDS.items()}
    table = calibration().get("modes", {}).get(mode, {})
    hidden = hidden_cm(mismatch)
    out = {}
    for name, value in measurements.items():
        entry = {"outline_mismatch_cm": round(float(mismatch.get(name, 0.0)), 2)}
        model = table.get("measurements", {}).get(name)
        if name == "stature" and table:  # stature is the given height
            out[name] = entry | {"uncertainty_cm": 0.0, "confidence": "high",
                                 "interval_cm": [value, value]}
        elif model is None:
            out[name] = entry | {"uncertainty_cm": None, "confidence": "unknown",
                                 "interval_cm": None}
        else:
            low, high = error_bounds(model, min(hidden, table["hidden_cap_cm"]))
            half = round((high - low) / 2, 2)
            out[name] = entry | {
                "uncertainty_cm": half,
                "confidence": "high" if half <= HIGH else "medium" if half <= MEDIUM else "low",
                "interval_cm": [round(value - high, 1), round(value - low, 1)]}
    return out


def hidden_cm(mismatch: dict[str, float]) -> float:
    """How much of the body a photo hides: the largest outline mismatch (cm of girth) over the
    girth bands."""
    return max((mismatch.get(name, 0.0) for name in BANDS), default=0.0)


def error_bounds(model: dict, hidden: float) -> tuple[float, float]:
    """[low, high] signed error (cm) a 90 % interval allows for a photo hiding ``hidden`` cm
    (already capped), from one measurement's calibration ``model``."""
    at_zero, per_cm = model["expected_error_cm"]
    scale = max(at_zero + per_cm * hidden, SCALE_FLOOR_CM)
    low, high = model["score_bounds"]
    return low * scale, high * scale


def fit_calibration(errors_cm: dict[str, np.ndarray], mismatch_cm: list[dict[str, float]]
                    ) -> dict:
    """One mode's calibration from held-out photos: ``errors_cm`` {measurement: (N,) signed
    errors, fitted - true}, ``mismatch_cm`` each photo's outline mismatch per measurement
    (avatar.json's ``outline_mismatch_cm``). The expected absolute error is a least-squares
    line in the capped ``hidden_cm`` (never falling as more is hidden); the score bounds are
    conformal tail bounds of the errors divided by it."""
    hidden = np.array([hidden_cm(row) for row in mismatch_cm])
    cap = float(np.percentile(hidden, CAP_PERCENTILE))
    capped = np.minimum(hidden, cap)
    design = np.c_[np.ones_like(capped), capped]
    measurements = {}
    for name, errors in errors_cm.items():
        errors = np.asarray(errors, float)
        at_zero, per_cm = np.linalg.lstsq(design, np.abs(errors), rcond=None)[0]
        if per_cm < 0:
            at_zero, per_cm = float(np.abs(errors).mean()), 0.0
        line = [round(float(at_zero), 4), round(float(per_cm), 5)]
        scales = np.maximum(line[0] + line[1] * capped, SCALE_FLOOR_CM)
        measurements[name] = {"expected_error_cm": line, "score_bounds": [
            round(bound, 4) for bound in conformal_bounds(errors / scales)]}
    return {"hidden_cap_cm": round(cap, 2), "measurements": measurements}


def conformal_bounds(scores: np.ndarray, miss: float = MISS) -> tuple[float, float]:
    """[low, high] that leave out at most ``miss`` of new scores on each side: order
    statistics with the split-conformal correction ((n + 1) ranks), so a small set gives a
    wider, not a narrower, interval (33 scores: their smallest and largest)."""
    ordered = np.sort(scores)
    count = len(ordered)
    low = ordered[max(int(np.floor((count + 1) * miss)) - 1, 0)]
    high = ordered[min(int(np.ceil((count + 1) * (1 - miss))) - 1, count - 1)]
    return float(low), float(high)


def clothing_seen(confidence: dict[str, dict], views: int) -> dict[str, dict]:
    """{region: {"looks": "loose" | "fitted", "outline_excess_cm": girth per view}} from
    ``measurement_uncertainty``'s outline mismatches over ``views`` photos."""
    seen = {}
    for region, name in REGIONS.items():
        per_view = confidence[name]["outline_mismatch_cm"] / max(views, 1)
        seen[region] = {"looks": "loose" if per_view > LOOSE_CM else "fitted",
                        "outline_excess_cm": round(per_view, 1)}
    return seen
