"""An A-line skirt: front and back panels joined at the side seams, graded from a size chart.

Panels carry their layout (``neural.garments.pattern``): hung from the waist, front facing -Y,
so draping wraps them round any body by arc length (``neural.drape.placement``).
"""
from __future__ import annotations

import numpy as np

from neural.garments.pattern import Edge, Panel, Pattern, Seam, hanging_layout
from neural.garments.size_charts import chart_row, fit_rules

SIZE_CHART = "skirt_sizes.yaml"


def skirt_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    m = chart_row(SIZE_CHART, size, "skirt")
    panels = [_panel("front", m), _panel("back", m)]
    seams = [Seam(("front", "side.R"), ("back", "side.L")),  # wearer's left
             Seam(("back", "side.R"), ("front", "side.L"))]  # wearer's right
    return Pattern("skirt", size, panels, seams, m, anchor="waist")


def _panel(name: str, m: dict[str, float]) -> Panel:
    """Half the skirt, x = 0 on the centre line, y = 0 at the hem (cm)."""
    ease = fit_rules(SIZE_CHART)
    waist = (m["waist"] + ease["waist"].ease_cm) / 4
    hip = (m["hip"] + ease["hip"].ease_cm) / 4
    length, hip_y = m["length"], m["length"] - m["hip_depth"]
    hem = hip + hip_y * np.tan(np.radians(m["flare"]))
    side = np.array([[hem, 0.0], [hip, hip_y], [waist, length]])  # hem to waist, right side
    edges = [
        Edge("hem", np.array([[-hem, 0.0], [hem, 0.0]])),
        Edge("side.R", side),
        Edge("waist", np.array([[waist, length], [-waist, length]])),
        Edge("side.L", side[::-1] * [-1.0, 1.0]),
    ]
    return Panel(name, name, edges, layout=hanging_layout(name, length))
