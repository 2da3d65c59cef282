"""A sleeveless knee-length sheath dress: a front and a back panel, graded from a size chart.

Both panels share their side and shoulder seams' shape (the front differs only in its deeper
neckline), so every seam pairs edges of equal length by construction. The side seam follows the
body's bust, waist and hip girths plus the chart's ease, a hip curve between the waist and the
hip, straight below it. Panels carry their layout, hung from the shoulders.
"""
from __future__ import annotations

import numpy as np

from neural.garments.pattern import Edge, Panel, Pattern, Seam, hanging_layout, hip_curve
from neural.garments.size_charts import chart_row, fit_rules

SIZE_CHART = "dress_sizes.yaml"
NECK_HALF_WIDTH_CM = 8.0
NECK_DROP_CM = {"front": 9.0, "back": 2.5}
SHOULDER_SLOPE_CM = 4.0
BUST_BELOW_UNDERARM_CM = 3.0


def dress_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    m = chart_row(SIZE_CHART, size, "dress")
    panels = [_panel("front", m), _panel("back", m)]
    seams = [Seam(("front", f"{edge}.R"), ("back", f"{edge}.L")) for edge in ("side", "shoulder")]
    seams += [Seam(("back", f"{edge}.R"), ("front", f"{edge}.L")) for edge in ("side", "shoulder")]
    return Pattern("dress", size, panels, seams, m, anchor="shoulders")


def _panel(name: str, m: dict[str, float]) -> Panel:
    """Half the dress's girth, x = 0 on the centre line, y = 0 at the hem (cm)."""
    ease = fit_rules(SIZE_CHART)
    half = {region: (m[rule.body_column] + rule.ease_cm) / 4 for region, rule in ease.items()}
    top = m["length"]
    shoulder = np.array([m["shoulder"], top - SHOULDER_SLOPE_CM])
    underarm_y = shoulder[1] - m["armhole"]
    waist_y = top - m["back_waist"]
    hip_y = waist_y - m["hip_depth"]
    side = np.vstack([[[half["hip"], 0.0]],  # hem to underarm, the wearer's side
                      hip_curve(np.array([half["hip"], hip_y]), np.array([half["waist"], waist_y])),
                      [[half["chest"], underarm_y - BUST_BELOW_UNDERARM_CM],
                       [half["chest"], underarm_y]]])
    t = np.linspace(0.0, 1.0, 7)[:, None]
    corner = np.array([shoulder[0] - 1.5, underarm_y + 1.0])
    armhole = ((1 - t) ** 2 * side[-1] + 2 * t * (1 - t) * corner + t ** 2 * shoulder)
    neck = np.array([NECK_HALF_WIDTH_CM, top])
    angles = np.linspace(0.0, np.pi, 13)
    neckline = np.stack([NECK_HALF_WIDTH_CM * np.cos(angles),
                         top - NECK_DROP_CM[name] * np.sin(angles)], -1)
    mirror = np.array([-1.0, 1.0])
    edges = [
        Edge("hem", np.array([[-half["hip"], 0.0], [half["hip"], 0.0]])),
        Edge("side.R", side),
        Edge("armhole.R", armhole),
        Edge("shoulder.R", np.array([shoulder, neck])),
        Edge("neckline", neckline),
        Edge("shoulder.L", np.array([neck, shoulder]) * mirror),
        Edge("armhole.L", armhole[::-1] * mirror),
        Edge("side.L", side[::-1] * mirror),
    ]
    return Panel(name, name, edges, layout=hanging_layout(name, top))
