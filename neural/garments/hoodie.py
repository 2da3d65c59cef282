"""A pullover hoodie: the drop-shoulder top with long sleeves, and a hood sewn round the neckline.

The hood is one panel: its lower edge is the left front neckline's length, the back's and the
right front's (so those seams match by construction), it widens to ``hood_width`` at the crown,
where its two halves are sewn together, and its slanted sides are the face opening, which meets
at the centre front.
"""
from __future__ import annotations

import numpy as np

from neural.garments.pattern import Edge, Panel, Pattern, Seam
from neural.garments.size_charts import chart_row
from neural.garments.tshirt import neckline_edges, top_panels

SIZE_CHART = "hoodie_sizes.yaml"


def hoodie_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    m = chart_row(SIZE_CHART, size, "hoodie")
    panels, seams = top_panels(m)
    edges, neck_seams, x = neckline_edges(panels, "hood")
    middle, half, height = x / 2, m["hood_width"] / 2, m["hood_height"]
    edges += [
        Edge("face_b", np.array([[x, 0.0], [middle + half, height]])),
        Edge("crown_b", np.array([[middle + half, height], [middle, height]])),
        Edge("crown_a", np.array([[middle, height], [middle - half, height]])),
        Edge("face_a", np.array([[middle - half, height], [0.0, 0.0]])),
    ]
    seams += neck_seams
    seams.append(Seam(("hood", "crown_a"), ("hood", "crown_b")))
    return Pattern("hoodie", size, [*panels, Panel("hood", "hood", edges)], seams, m)
