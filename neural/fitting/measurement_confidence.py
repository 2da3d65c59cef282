"""How far each measurement of a fitted avatar can be trusted, in centimetres.

Two parts, combined in quadrature:
- the method's own spread: the 90th-percentile absolute error per measurement found by
  ``make bench-avatar --calibrate`` on each held-out synthetic split (close-fitting clothes and
  dressed; the largest of them, so it holds for both kinds of photo), for front-only or front +
  side fits (``data/measurement_uncertainty.json``);
- what the photo says about this person: where the fitted body's outline does not match the
  person's outline across a girth's band of the body (loose clothing, a bag, hair, a bad mask),
  the unexplained width of the body part (cm, summed over the views; per image row, the run of
  pixels through the part's centre line, so hands beside the hips do not count) times pi/2 — a
  girth changes by about pi/2 per centimetre of width in one view (the perimeter of an ellipse
  is about pi (a + b)) — beyond what is typical on the benchmark (the largest of the splits'
  medians, also in the calibration file: the dressed people's clothes are allowed for). The
  shape network reads the whole outline, so a body part hidden by clothing can move every
  measurement: half of the largest such excess anywhere is added to all of them.

What the fit believes the person wears (``clothing_seen``): per region (chest, waist, hips,
thighs), "loose" where the outline stands off the fitted body by more than ``LOOSE_CM`` of girth
per view, else "fitted".

Each measurement also gets a 90 % interval (cm): the bounds of the signed error (fitted - true)
that leave out 5 % of people on each side, as the calibration found them on each split
(split-conformal order statistics, so a small split errs wide; the widest of the splits), moved
to this measurement, and widened on both sides by this photo's unexplained outline (above).
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
SPILL = 0.5  # share of the largest outline excess that every measurement inherits
LOOSE_CM = 6.0  # girth (cm) per view the outline may stand off the fitted body and look fitted
REGIONS = {"chest": "chest_girth", "waist": "waist_girth", "hips": "hip_girth",
           "thighs": "thigh_girth"}


@functools.lru_cache(maxsize=1)
def calibration() -> dict:
    """{"splits": {split: {"p90_cm", "typical_outline_mismatch_cm", "signed_error_quantiles_cm":
    {mode: {measurement: cm, or [low, high] tail bounds cm}}}}} for modes "front" and
    "front+side"; {} before calibration."""
    if not CALIBRATION.is_file():
        return {}
    return json.loads(CALIBRATION.read_text())


def _split_entries(table: dict, key: str, mode: str):
    """(measurement, value) of every calibrated split's ``key`` table for ``mode``."""
    for split in table.get("splits", {}).values():
        yield from split.get(key, {}).get(mode, {}).items()


def _largest(table: dict, key: str, mode: str) -> dict[str, float]:
    """Per measurement, the largest of the splits' ``key`` values for ``mode``."""
    largest: dict[str, float] = {}
    for name, value in _split_entries(table, key, mode):
        largest[name] = max(largest.get(name, value), value)
    return largest


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
    """{measurement: {"uncertainty_cm", "confidence", "interval_cm"}} for one fit; ``views``
    maps view names to ``ViewFit``s (their mask, silhouette, keypoints and scale), ``mode``
    "front" or "front+side". ``interval_cm`` is [low, high], or None before calibration."""
    table = calibration()
    spread = _largest(table, "p90_cm", mode)
    quantiles = _widest_quantiles(table, mode)
    typical = _largest(table, "typical_outline_mismatch_cm", mode)
    mismatch = {name: np.pi / 2 * sum(
        band_width_residual_cm(view.mask, view.silhouette, view.keypoints_fit_px, band,
                               view.pixels_per_cm, per_leg=name in LEG_GIRTHS)
        for view in views.values()) for name, band in BANDS.items()}
    excess = {name: max(0.0, value - typical.get(name, 0.0)) for name, value in mismatch.items()}
    everywhere = SPILL * max(excess.values(), default=0.0)
    out = {}
    for name in measurements:
        entry = {"outline_mismatch_cm": round(float(mismatch.get(name, 0.0)), 2)}
        base = spread.get(name)
        if base is None or name == "stature":  # stature is the given height
            out[name] = entry | {"uncertainty_cm": None if base is None else 0.0,
                                 "confidence": "unknown" if base is None else "high",
                                 "interval_cm": None if base is None else [measurements[name]] * 2}
            continue
        hidden = max(excess.get(name, 0.0), everywhere)
        total = float(np.hypot(base, hidden))
        out[name] = entry | {
            "uncertainty_cm": round(total, 2),
            "confidence": "high" if total <= HIGH else "medium" if total <= MEDIUM else "low",
            "interval_cm": _interval(measurements[name], quantiles.get(name), hidden)}
    return out


def clothing_seen(confidence: dict[str, dict], views: int) -> dict[str, dict]:
    """{region: {"looks": "loose" | "fitted", "outline_excess_cm": girth per view}} from
    ``measurement_uncertainty``'s outline mismatches over ``views`` photos."""
    seen = {}
    for region, name in REGIONS.items():
        per_view = confidence[name]["outline_mismatch_cm"] / max(views, 1)
        seen[region] = {"looks": "loose" if per_view > LOOSE_CM else "fitted",
                        "outline_excess_cm": round(per_view, 1)}
    return seen


def _widest_quantiles(table: dict, mode: str) -> dict[str, tuple[float, float]]:
    """Per measurement, the lowest low and highest high tail bound of the signed error over the
    calibrated splits."""
    widest: dict[str, tuple[float, float]] = {}
    for name, (low, high) in _split_entries(table, "signed_error_quantiles_cm", mode):
        known = widest.get(name, (low, high))
        widest[name] = (min(known[0], low), max(known[1], high))
    return widest


def _interval(value: float, quantiles: tuple[float, float] | None,
              hidden_cm: float) -> list[float] | None:
    """[low, high] cm holding the truth for about 90 % of people: the signed errors' tail bounds
    moved to ``value``, widened by ``hidden_cm`` on both sides."""
    if quantiles is None:
        return None
    low, high = quantiles
    return [round(value - high - hidden_cm, 1), round(value - low + hidden_cm, 1)]
