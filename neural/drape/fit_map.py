"""Where a draped garment is tight or loose: per-vertex strain and ease, per-region summaries.

Inputs are Z-up metres: the rest-pose body (with its joints and torso levels) and the draped
garment. Per vertex: strain as a fraction (mean yarn strain of the vertex's triangles, see
``fit_metrics``; 0.05 = 5 %)
and ease in mm (distance from the body surface, negative inside it). Per region:

- chest, waist, hip: girth ease in cm, what a size chart calls ease: the garment's width as cut
  (summed over the trunk's panels) minus the body's girth at the same height. Chest and hip are
  the body's widest girths, so a garment is tightest there at the body's own level; the waist is
  its narrowest, so a garment pinches wherever it is narrowest near it (a waistband that rode
  up): the tightest height within ``BAND_M`` of the waist. Where the garment does not go all
  round at the level (a skirt that settled below the waist or rode above it), its nearest
  complete section up to ``REACH_M`` away is taken. With the strain p50 / p95 and median gap (mm)
  of the garment's trunk within ``BAND_M`` of that height;
- shoulders: the trunk above the shoulder joints; sleeves: the sleeve panels;
- length: where the hem falls against the body's waist and hip levels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neural.body.measurements import (Levels, TemplateLandmarks, armless_tape, torso_girth,
                                      torso_levels)
from neural.body.tape import Tape
from neural.drape.fit_metrics import nearest_surface, yarn_strain

FIT_MAP_VERSION = 6  # fit.json's regions are comparable only between drapes of one version
GIRTH_REGIONS = ("chest", "waist", "hip")
BAND_M = 0.03  # half-height of the band of garment around each girth level
REACH_M = 0.10  # a girth is taken at the complete section nearest its level, this far at most
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
        return {"fit_map_version": FIT_MAP_VERSION, "regions": self.regions,
                "fit_map": {"strain": np.round(self.strain, 4).tolist(),
                            "ease_mm": np.round(self.ease_mm, 1).tolist()}}


def fit_map(positions: np.ndarray, rest_uv: np.ndarray, faces: np.ndarray,
            seam_pairs: np.ndarray, panel_of: np.ndarray, sleeve_vertices: np.ndarray,
            body: BodyShape) -> FitMap:
    """Strain and ease of a draped garment (V, 3) over ``body``; ``seam_pairs`` (S, 2) are
    the sewn vertex pairs, ``panel_of`` (V,) each vertex's panel and ``sleeve_vertices`` (V,)
    bool the sleeves (left out of the girths)."""
    strain = yarn_strain(positions, rest_uv, faces)
    _, distance, _, inside = nearest_surface(positions, body.vertices, body.faces)
    ease_mm = np.where(inside, -distance, distance) * 1000.0
    armless = armless_tape(body.vertices, body.faces, body.landmarks)
    levels = torso_levels(armless, body.joints, body.landmarks)
    trunk = ~sleeve_vertices
    section = _TrunkSection(positions, rest_uv, faces[trunk[faces].all(1)], seam_pairs, panel_of)
    regions: dict[str, dict] = {}
    for name in GIRTH_REGIONS:
        found = section.sections_near(getattr(levels, name), BAND_M if name == "waist" else 0.0)
        if not found:
            continue
        # the tightest height: the least garment width over the body's girth at that height
        z, cut, body_girth = min(((z, cut, torso_girth(armless, body.joints, z))
                                  for z, cut in found), key=lambda f: f[1] - f[2])
        band = trunk & (np.abs(positions[:, 2] - z) < BAND_M)
        regions[name] = {"ease_cm": round((cut - body_girth) * 100.0, 1),
                         "body_girth_cm": round(body_girth * 100.0, 1),
                         "height_cm": round(z * 100.0, 1),
                         **_band_summary(band, faces, strain, ease_mm)}
    shoulder_z = min(body.joints["shoulder.L"][2], body.joints["shoulder.R"][2]) - SHOULDER_DROP_M
    for name, mask in (("shoulders", trunk & (positions[:, 2] > shoulder_z)),
                       ("sleeves", sleeve_vertices)):
        if mask.sum() >= 3:
            regions[name] = _band_summary(mask, faces, strain, ease_mm)
    if trunk.any():
        regions["length"] = _hem(positions[trunk, 2].min(), levels)
    return FitMap(_vertex_mean(faces, strain, len(positions)), ease_mm, regions)


class _TrunkSection:
    """Horizontal sections through the garment's body panels and their width as cut."""

    def __init__(self, positions: np.ndarray, rest_uv: np.ndarray, faces: np.ndarray,
                 seam_pairs: np.ndarray, panel_of: np.ndarray):
        self.worn = Tape(positions, faces)
        self.flat = Tape(np.column_stack([rest_uv, np.zeros(len(rest_uv))]), faces)
        self.panel_of = panel_of
        self.partners: dict[int, set[int]] = {}
        for a, b in seam_pairs:
            self.partners.setdefault(int(a), set()).add(int(panel_of[b]))
            self.partners.setdefault(int(b), set()).add(int(panel_of[a]))
        self.across = {}  # panel -> its horizontal pattern direction on the draped garment
        for panel in np.unique(panel_of[faces]):
            mine = panel_of == panel
            design = np.column_stack([rest_uv[mine], np.ones(mine.sum())])
            slope = np.linalg.lstsq(design, positions[mine, 2], rcond=None)[0][:2]
            self.across[int(panel)] = np.array([-slope[1], slope[0]]) / max(
                np.linalg.norm(slope), 1e-12)

    def sections_near(self, level: float, band: float) -> list[tuple[float, float]]:
        """(height, width as cut) of every complete section within ``band`` of ``level``
        (every 5 mm) or, if there is none (a garment ending short of the level: a skirt that
        settled below the waist or rode above it), of the nearest one within ``REACH_M``."""
        found = []
        for offset in sorted(np.arange(-REACH_M, REACH_M + 1e-9, 0.005), key=abs):
            if found and abs(offset) > band + 1e-9:
                break
            cut = self.width_as_cut(level + offset)
            if cut is not None:
                found.append((level + offset, cut))
        return found

    def width_as_cut(self, z: float) -> float | None:
        """The garment's width (m) as cut at height ``z``, summed over panels: where the plane
        cuts a panel, the stretch of pattern the cut crosses, measured across the panel's
        horizontal direction (the pattern direction along which the draped panel's height does
        not change) and counted once: a fold that crosses the plane twice covers the same
        stretch twice, and a dart's opening is not cloth. None unless the section goes all
        round: every cut ends on a seam (both ends of the mesh edge it crosses are sewn) whose
        other side is cut too, not on a free edge such as a waistband or hem."""
        cuts: dict[int, list[np.ndarray]] = {}
        ends = []
        for edges, t in self.worn.section_edges(np.array([0.0, 0.0, z]), UP):
            panel = int(self.panel_of[edges[0, 0]])
            cuts.setdefault(panel, []).append(self.flat.section_points(edges, t))
            ends += [edges[0], edges[-1]]
        if not cuts or not all(self.partners.get(int(v), set()) & set(cuts)
                               for edge in ends for v in edge):
            return None
        return sum(_covered([p[:, :2] @ self.across[panel] for p in points])
                   for panel, points in cuts.items())


def _covered(paths: list[np.ndarray]) -> float:
    """Length of line covered by paths along it (positions (n,), consecutive ones joined),
    overlaps counted once."""
    spans = [np.stack([x[:-1], x[1:]], 1) for x in paths if len(x) > 1]
    if not spans:
        return 0.0
    spans = np.sort(np.concatenate(spans), axis=1)
    spans = spans[np.argsort(spans[:, 0])]
    total, reach = 0.0, -np.inf
    for low, high in spans:
        total += max(0.0, high - max(low, reach))
        reach = max(reach, high)
    return total


def _band_summary(mask: np.ndarray, faces: np.ndarray, strain: np.ndarray,
                  ease_mm: np.ndarray) -> dict:
    inner = mask[faces].all(1)
    inside = strain[inner] if inner.any() else np.zeros(1)
    return {"strain_p50": round(float(np.median(inside)), 4),
            "strain_p95": round(float(np.percentile(inside, 95)), 4),
            "gap_mm_median": round(float(np.median(ease_mm[mask])), 1)}


def _hem(hem_z: float, levels: Levels) -> dict:
    return {"hem_height_cm": round(hem_z * 100.0, 1),
            "hem_below_waist_cm": round((levels.waist - hem_z) * 100.0, 1),
            "hem_below_hip_cm": round((levels.hip - hem_z) * 100.0, 1)}


def _vertex_mean(faces: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """Mean over each vertex's triangles of a per-triangle value (0 for a vertex in none)."""
    total = np.bincount(faces.ravel(), np.repeat(values, 3), minlength=count)
    return total / np.maximum(np.bincount(faces.ravel(), minlength=count), 1)
