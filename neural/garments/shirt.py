"""A long-sleeved shirt with a band collar: the t-shirt's drop-shoulder body and sleeves, longer
sleeves narrowing to the cuff, and a collar band sewn round the neckline.

The collar is one rectangle whose lower edge is the front neckline's length then the back's, its
two ends sewn together at the wearer's right neck point, so its seams match by construction.
"""
from __future__ import annotations

import numpy as np

from neural.garments.pattern import Edge, Panel, Pattern, Seam
from neural.garments.size_charts import chart_row
from neural.garments.tshirt import top_panels

SIZE_CHART = "shirt_sizes.yaml"


def shirt_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    m = chart_row(SIZE_CHART, size, "shirt")
    panels, seams = top_panels(m)
    front, back = (next(p for p in panels if p.name == name) for name in ("front", "back"))
    collar = _collar(front.edge("neckline").length, back.edge("neckline").length,
                     m["collar_height"])
    seams += [Seam(("collar", "neck_front"), ("front", "neckline")),
              Seam(("collar", "neck_back"), ("back", "neckline")),
              Seam(("collar", "end_a"), ("collar", "end_b"))]
    return Pattern("shirt", size, [*panels, collar], seams, m)


def _collar(front_cm: float, back_cm: float, height_cm: float) -> Panel:
    """The band seen from outside, lower edge from the wearer's right neck point round the front
    (left to right in the panel), then round the back."""
    around = front_cm + back_cm
    edges = [
        Edge("neck_front", np.array([[0.0, 0.0], [front_cm, 0.0]])),
        Edge("neck_back", np.array([[front_cm, 0.0], [around, 0.0]])),
        Edge("end_b", np.array([[around, 0.0], [around, height_cm]])),
        Edge("top", np.array([[around, height_cm], [0.0, height_cm]])),
        Edge("end_a", np.array([[0.0, height_cm], [0.0, 0.0]])),
    ]
    return Panel("collar", "collar", edges)
