"""Straight trousers: a front and a back panel per leg, graded from a size chart.

The leg narrows from the thigh to the knee (the chart's ``knee`` girth, on the knee line
``KNEE_LINE`` of the inseam above the hem) and runs on to the hem, as a tailored leg does: a leg
tapered straight from the fork to the hem stood 2-3 cm off each side of the knee.

Each panel is drafted once with its side seam towards +x and the centre line at x = 0 (the
front left and back right legs seen from outside) and mirrored for the other two, so the side
seams, inseams and crotch seams pair edges of equal length by construction: front and back
share the side seam's and the inseam's run, the back being wider at the hip (2 cm) and at the
crotch (its fork reaches further). Panels carry their layout, hung from the waist.
"""
from __future__ import annotations

import numpy as np

from neural.garments.pattern import (Edge, Panel, Pattern, Seam, hanging_layout, hip_curve,
                                     mirrored)
from neural.garments.size_charts import chart_row, fit_rules

SIZE_CHART = "trousers_sizes.yaml"
BACK_RAISE_CM = 3.0  # the back's centre seam rises above the side of the waist
FORK_DEPTH = 0.6  # the crotch curve starts this many fork widths above the crotch point
# each panel's fork (crotch extension) as a fraction of the chart's hip girth; the back's eighth
# (a tenth left the seat and upper thigh of slim jeans 9-13 % stretched on full-thighed bodies)
FORK_OF_HIP = {"front": 1 / 16, "back": 1 / 8}
KNEE_LINE = 0.54  # the knee's height above the hem as a share of the inseam (ANSUR II men:
# mid-patella 48.7 cm above the floor, the hem 8 cm above it, an inseam of about 76 cm)


def trousers_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    return legged_pattern("trousers", SIZE_CHART, size)


def legged_pattern(garment: str, chart: str, size: str) -> Pattern:
    """Trousers of any cut from a chart with this chart's columns: the leg's shape follows from
    its hip width, fork and hem (a narrow hem makes a tapered, slim leg)."""
    m = chart_row(chart, size, garment)
    front, back = _drafts(m, chart)
    top = m["inseam"] + m["rise"]  # the waist's side point, hung at the layout's z = 0
    panels = [Panel(name, name, mirrored(draft) if mirror else draft,
                    layout=hanging_layout(name.split(".")[0], top))
              for name, draft, mirror in (("front.L", front, False), ("front.R", front, True),
                                          ("back.L", back, True), ("back.R", back, False))]
    seams = [Seam((f"front.{s}", edge), (f"back.{s}", edge))
             for s in ("L", "R") for edge in ("side", "inseam")]
    seams += [Seam(("front.L", "crotch"), ("front.R", "crotch")),
              Seam(("back.R", "crotch"), ("back.L", "crotch"))]
    return Pattern(garment, size, panels, seams, m, anchor="waist")


def _drafts(m: dict[str, float], chart: str) -> tuple[list[Edge], list[Edge]]:
    """Front and back outlines (cm, y = 0 at the hem), side seam towards +x."""
    ease = fit_rules(chart)
    hip = (m["hip"] + ease["hip"].ease_cm) / 4
    waist = (m["waist"] + ease["waist"].ease_cm) / 4
    widths = {"front": hip - 1.0, "back": hip + 1.0}
    forks = {name: m["hip"] * share for name, share in FORK_OF_HIP.items()}
    take_in = (sum(widths.values()) - 2 * waist) / 2  # each panel's side seam, hip to waist
    crotch_y, top_y = m["inseam"], m["inseam"] + m["rise"]
    hip_y, knee_y = top_y - m["hip_depth"], KNEE_LINE * m["inseam"]
    drafts = []
    for name in ("front", "back"):
        width, fork = widths[name], forks[name]
        raise_cm = BACK_RAISE_CM if name == "back" else 0.0
        hem_in, hem_out = _across_leg(m["hem"], name, widths, forks)
        knee_in, knee_out = _across_leg(m["knee"], name, widths, forks)
        t = np.linspace(0.0, np.pi / 2, 9)
        curve_top = min(crotch_y + FORK_DEPTH * fork, hip_y)  # not above the hip line
        crotch = np.vstack([[[0.0, top_y + raise_cm]],
                            np.column_stack([-fork * (1 - np.cos(t)),
                                             curve_top - (curve_top - crotch_y) * np.sin(t)])])
        drafts.append([
            Edge("hem", np.array([[hem_in, 0.0], [hem_out, 0.0]])),
            Edge("side", np.vstack([[[hem_out, 0.0], [knee_out, knee_y]],
                                    hip_curve(np.array([width, hip_y]),
                                              np.array([width - take_in, top_y]))])),
            Edge("waist", np.array([[width - take_in, top_y], [0.0, top_y + raise_cm]])),
            Edge("crotch", crotch),
            Edge("inseam", np.array([[-fork, crotch_y], [knee_in, knee_y], [hem_in, 0.0]])),
        ])
    return drafts[0], drafts[1]


def _across_leg(girth: float, name: str, widths: dict[str, float], forks: dict[str, float]
                ) -> tuple[float, float]:
    """Where panel ``name``'s inseam and side seam cross a line across the leg of ``girth`` (cm,
    the hem's or the knee's), centred under the front's crease: both panels' seams run in by
    the same amounts from the hip line and the fork (so the seams pair edges of equal length),
    the back taking the rest of the girth plus what it is wider at the hip and fork."""
    front = (girth - (widths["back"] - widths["front"]) - (forks["back"] - forks["front"])) / 2
    run = (widths["front"] + forks["front"] - front) / 2  # the side seam's, in from the hip
    outer = widths[name] - run
    return outer - (front + widths[name] - widths["front"] + forks[name] - forks["front"]), outer
