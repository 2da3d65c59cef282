"""Where a draped garment is tight or loose: per-vertex strain and ease, per-region summaries.

Inputs are Z-up metres: the rest-pose body (with its joints and torso levels) and the draped
garment. Per vertex: strain as a fraction (mean tensile strain of the vertex's edges, 0.05 = 5 %)
and ease in mm (distance from the body surface, negative inside it). Per region:

- chest, waist, hip: girth ease in cm (the garment's width as cut at the body's level, summed
  over the trunk's panels, minus the body's girth there: what a size chart calls ease), the
  strain p95 and median gap (mm) of the garment's trunk within ``BAND_M`` of that level;
- shoulders: the trunk above the shoulder joints; sleeves: the sleeve panels;
- length: where the hem falls against the body's waist and hip levels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neural.body.measurements import (Levels, TemplateLandmarks, armless_tape, torso_girth,
                                      torso_levels)
from neural.body.tape import Tape
from neural.drape.fit_metrics import edge_strain, nearest_surface, unique_edges

GIRTH_REGIONS = ("chest", "waist", "hip")
BAND_M = 0.03  # half-height of the band of garment around each girth level
EDGE_MARGIN_M = 0.01  # girths are taken at least this far inside the garment's top and hem
SHOULDER_DROP_M = 0.02  # shoulders: trunk vertices above the shoulder joints less this
UP = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class BodyShape:
    """The rest-pose body a garment was draped on: mesh (Z-up m), joint centres and what its
    template says about it (arms, waist, buttocks: the levels of ``measure_body``)."""

    vertices: np.ndarray
    faces: np.ndarray
    joints: dict[str, np.ndarray]
    landmarks: TemplateLandmarks


@dataclass
class FitMap:
    """Per-vertex strain (fraction) and ease (mm), and the per-region summaries."""

    strain: np.ndarray
    ease_mm: np.ndarray
    regions: dict[str, dict]

    def to_json(self) -> dict:
        return {"regions": self.regions,
                "fit_map": {"strain": np.round(self.strain, 4).tolist(),
                            "ease_mm": np.round(self.ease_mm, 1).tolist()}}


def fit_map(positions: np.ndarray, rest_uv: np.ndarray, faces: np.ndarray,
            panel_of: np.ndarray, sleeve_vertices: np.ndarray, body: BodyShape) -> FitMap:
    """Strain and ease of a draped garment (V, 3) over ``body``; ``panel_of`` (V,) is each
    vertex's panel, ``sleeve_vertices`` (V,) bool marks the sleeves (left out of the girths)."""
    edges = unique_edges(faces)
    strain = edge_strain(positions, rest_uv, faces)
    _, distance, _, inside = nearest_surface(positions, body.vertices, body.faces)
    ease_mm = np.where(inside, -distance, distance) * 1000.0
    armless = armless_tape(body.vertices, body.faces, body.landmarks)
    levels = torso_levels(armless, body.joints, body.landmarks)
    trunk = ~sleeve_vertices
    trunk_faces = faces[trunk[faces].all(1)]
    regions: dict[str, dict] = {}
    spans = [positions[trunk & (panel_of == p), 2] for p in np.unique(panel_of[trunk])]
    for name in GIRTH_REGIONS:
        z = _level_on_garment(getattr(levels, name), spans)
        if z is None:
            continue
        band = trunk & (np.abs(positions[:, 2] - z) < BAND_M)
        body_girth = torso_girth(armless, body.joints, z)
        cut = _width_as_cut(positions, rest_uv, trunk_faces, panel_of, z)
        regions[name] = {"ease_cm": round((cut - body_girth) * 100.0, 1),
                         "body_girth_cm": round(body_girth * 100.0, 1),
                         "height_cm": round(z * 100.0, 1),
                         **_band_summary(band, edges, strain, ease_mm)}
    shoulder_z = min(body.joints["shoulder.L"][2], body.joints["shoulder.R"][2]) - SHOULDER_DROP_M
    for name, mask in (("shoulders", trunk & (positions[:, 2] > shoulder_z)),
                       ("sleeves", sleeve_vertices)):
        if mask.sum() >= 3:
            regions[name] = _band_summary(mask, edges, strain, ease_mm)
    if trunk.any():
        regions["length"] = _hem(positions[trunk, 2].min(), levels)
    return FitMap(_vertex_mean(edges, strain, len(positions)), ease_mm, regions)


def _level_on_garment(level: float, spans: list[np.ndarray]) -> float | None:
    """``level`` (m) moved at least ``EDGE_MARGIN_M`` inside the heights where the section goes
    all round the garment (every panel of ``spans``, each panel's vertex heights, reaches), so
    that a garment ending just short of it (a skirt's waistband) is measured at its edge; None
    where the garment is more than ``BAND_M`` short of it."""
    if not spans:
        return None
    low = max(heights.min() for heights in spans) + EDGE_MARGIN_M
    high = min(heights.max() for heights in spans) - EDGE_MARGIN_M
    z = float(np.clip(level, low, high))
    return None if low > high or abs(z - level) > BAND_M else z


def _width_as_cut(positions: np.ndarray, rest_uv: np.ndarray, faces: np.ndarray,
                  panel_of: np.ndarray, z: float) -> float:
    """The garment's width (m) as cut at height ``z``, summed over panels: where the horizontal
    plane cuts a panel, the extent of the cut's pattern coordinates across the panel's
    horizontal direction (the pattern direction along which the draped panel's height does not
    change). A fold that crosses the plane twice covers the same stretch of pattern, so it is
    not counted twice."""
    flat = Tape(np.column_stack([rest_uv, np.zeros(len(rest_uv))]), faces)
    cuts: dict[int, list[np.ndarray]] = {}
    for edges, t in Tape(positions, faces).section_edges(np.array([0.0, 0.0, z]), UP):
        cuts.setdefault(int(panel_of[edges[0, 0]]), []).append(flat.section_points(edges, t))
    total = 0.0
    for panel, points in cuts.items():
        mine = panel_of == panel
        design = np.column_stack([rest_uv[mine], np.ones(mine.sum())])
        slope = np.linalg.lstsq(design, positions[mine, 2], rcond=None)[0][:2]
        across = np.array([-slope[1], slope[0]]) / max(np.linalg.norm(slope), 1e-12)
        along = np.concatenate(points)[:, :2] @ across
        total += float(along.max() - along.min())
    return total


def _band_summary(mask: np.ndarray, edges: np.ndarray, strain: np.ndarray,
                  ease_mm: np.ndarray) -> dict:
    inner = mask[edges].all(1)
    inside = strain[inner] if inner.any() else np.zeros(1)
    return {"strain_p50": round(float(np.median(inside)), 4),
            "strain_p95": round(float(np.percentile(inside, 95)), 4),
            "gap_mm_median": round(float(np.median(ease_mm[mask])), 1)}


def _hem(hem_z: float, levels: Levels) -> dict:
    return {"hem_height_cm": round(hem_z * 100.0, 1),
            "hem_below_waist_cm": round((levels.waist - hem_z) * 100.0, 1),
            "hem_below_hip_cm": round((levels.hip - hem_z) * 100.0, 1)}


def _vertex_mean(edges: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """Mean over each vertex's edges of a per-edge value (0 for a vertex without edges)."""
    total = np.bincount(edges.ravel(), np.repeat(values, 2), minlength=count)
    return total / np.maximum(np.bincount(edges.ravel(), minlength=count), 1)
