"""An A-line skirt: front and back panels joined at the side seams, graded from a size chart,
with two waist darts in each (the body's hip-to-waist difference shared between the darts and
the side seams).

Panels carry their layout (``neural.garments.pattern``): hung from the waist, front facing -Y,
so draping wraps them round any body by arc length (``neural.drape.placement``).
"""
from __future__ import annotations

import numpy as np

from neural.garments.pattern import Edge, Panel, Pattern, Seam, darted, hanging_layout
from neural.garments.size_charts import chart_row, fit_rules

SIZE_CHART = "skirt_sizes.yaml"
# per dart: intake at the waist and length, cm, as in common skirt blocks (the back's longer: the
# seat curves lower than the belly); equal intakes keep front and back side seams alike
DARTS = {"front": (2.5, 9.0), "back": (2.5, 13.0)}


def skirt_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    m = chart_row(SIZE_CHART, size, "skirt")
    panels = [_panel("front", m), _panel("back", m)]
    seams = [Seam(("front", "side.R"), ("back", "side.L")),  # wearer's left
             Seam(("back", "side.R"), ("front", "side.L"))]  # wearer's right
    for panel, legs in panels:
        seams += [Seam((panel.name, leg_in), (panel.name, leg_out)) for leg_in, leg_out in legs]
    return Pattern("skirt", size, [panel for panel, _ in panels], seams, m, anchor="waist")


def _panel(name: str, m: dict[str, float]) -> tuple[Panel, list[tuple[str, str]]]:
    """Half the skirt, x = 0 on the centre line, y = 0 at the hem (cm), and its dart legs to
    sew: the waist edge is cut wider by the darts' intake, which they take out again."""
    ease = fit_rules(SIZE_CHART)
    intake, depth = DARTS[name]
    waist = (m["waist"] + ease["waist"].ease_cm) / 4 + intake
    hip = (m["hip"] + ease["hip"].ease_cm) / 4
    length, hip_y = m["length"], m["length"] - m["hip_depth"]
    hem = hip + hip_y * np.tan(np.radians(m["flare"]))
    # hem to waist, the right side: straight from the hip up (the darts shape the high hip; a
    # hip curve let the skirt hang lower, its waistband tight on a wider part of the body)
    side = np.array([[hem, 0.0], [hip, hip_y], [waist, length]])
    # a dart halfway between the centre line and each side seam
    waist_edges, legs = darted(Edge("waist", np.array([[waist, length], [-waist, length]])),
                               [(0.25, intake, depth), (0.75, intake, depth)])
    edges = [
        Edge("hem", np.array([[-hem, 0.0], [hem, 0.0]])),
        Edge("side.R", side),
        *waist_edges,
        Edge("side.L", side[::-1] * [-1.0, 1.0]),
    ]
    return Panel(name, name, edges, layout=hanging_layout(name, length)), legs
