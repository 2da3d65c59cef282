"""Dress a synthetic person in the project's own garments, draped by its own cloth solver.

An outfit is a bottom (trousers, jeans or a skirt) under a top (T-shirt, shirt or hoodie),
sometimes with a jacket over both, or a dress alone. Each garment's size is the size its chart
gives the body, shifted from one size too small to two too large; fabric, colour and print
(plain, stripes or checks, laid out in the pattern's own metres) are drawn at random. The
drapes run on the body in its rest pose (the A-pose), each garment over the ones below it;
the draped garments then follow the body into a pose (``follow_pose``), each garment vertex
moved as its nearest body vertices move, so one drape serves several stances. Frames: Z-up, metres, soles on z = 0. Deterministic for a seed.
"""
from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from neural.body.anny_body import BodyParameters

TOPS = ("tshirt", "shirt", "hoodie")
BOTTOMS = ("trousers", "jeans", "skirt")
OUTERWEAR = ("jacket",)
FABRICS = {"tshirt": ("cotton", "jersey", "knit"), "shirt": ("cotton", "silk"),
           "hoodie": ("jersey", "knit", "cotton"), "jacket": ("denim", "wool_suiting"),
           "trousers": ("cotton", "wool_suiting"), "jeans": ("denim",),
           "skirt": ("cotton", "denim", "silk"), "dress": ("jersey", "silk", "cotton")}
SIZE_SHIFTS = (-1, 0, 0, 1, 1, 2)  # sizes off the chart's: one too small to two too large
PRINTS = ("plain", "plain", "stripes", "checks")
NEAREST = 4  # body vertices each garment vertex follows into the pose


@dataclass(frozen=True)
class GarmentChoice:
    """One garment of an outfit: built-in kind, size, fabric, and how it looks."""

    kind: str
    size: str
    size_shift: int  # sizes larger (+) or smaller (-) than the chart's for this body
    fabric: str
    colour: tuple[float, float, float]  # sRGB
    second_colour: tuple[float, float, float]  # of the print
    print: str  # plain, stripes, checks
    print_period_m: float


@dataclass(frozen=True)
class Outfit:
    """Garments lowest layer first."""

    garments: tuple[GarmentChoice, ...]

    @property
    def looseness(self) -> str:
        """outerwear (a jacket), loose (a hoodie, a dress, or anything two sizes large) or
        fitted: how much the clothes hide the body, for reporting by group."""
        kinds = {g.kind for g in self.garments}
        if kinds & set(OUTERWEAR):
            return "outerwear"
        if kinds & {"hoodie", "dress"} or max(g.size_shift for g in self.garments) >= 2:
            return "loose"
        return "fitted"

    def to_json(self) -> dict:
        return {"looseness": self.looseness, "garments": [asdict(g) for g in self.garments]}


@dataclass
class DressedMeshes:
    """The draped garments on the body in its rest pose: vertices (V, 3) m, faces, sRGB vertex
    colours, one entry per garment (lowest first); and each drape's quality gates."""

    vertices: list[np.ndarray]
    faces: list[np.ndarray]
    colours: list[np.ndarray]
    gates: list[dict]


def sample_outfit(rng: np.random.Generator, measurements_cm: dict[str, float],
                  gender: float, looseness: str | None = None) -> Outfit:
    """An outfit for a body with these measurements; dresses and skirts more often for
    bodies nearer Anny's female end (``gender`` 1). ``looseness`` ``fitted`` or ``loose``
    draws only outfits of that kind (``Outfit.looseness``): fitted tops and bottoms at most a
    size large, or a hoodie or two sizes large."""
    womanly = float(np.clip(gender, 0.0, 1.0))
    tops = {None: TOPS, "fitted": ("tshirt", "shirt"), "loose": TOPS}[looseness]
    if looseness is None and rng.uniform() < 0.15 * womanly:
        kinds = ["dress"]
    else:
        bottom_weights = np.array([1.0, 1.0, 0.1 + 0.9 * womanly])
        kinds = [BOTTOMS[rng.choice(len(BOTTOMS), p=bottom_weights / bottom_weights.sum())],
                 tops[rng.integers(len(tops))]]
        if looseness is None and rng.uniform() < 0.25:
            kinds.append(OUTERWEAR[0])
    shifts = {None: SIZE_SHIFTS, "fitted": (-1, 0, 0, 1), "loose": (2,)}[looseness]
    return Outfit(tuple(_choose_garment(rng, kind, measurements_cm, shifts) for kind in kinds))


def _choose_garment(rng: np.random.Generator, kind: str, measurements_cm: dict[str, float],
                    shifts: tuple[int, ...] = SIZE_SHIFTS) -> GarmentChoice:
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import fitted_size, load_chart, split_length, with_length
    from neural.synthetic.appearance import clothing_colour

    chart = SIZE_CHARTS[kind]
    base, length = split_length(fitted_size(chart, measurements_cm))
    sizes = list(load_chart(chart))
    shift = int(rng.choice(shifts))
    at = int(np.clip(sizes.index(base) + shift, 0, len(sizes) - 1))
    return GarmentChoice(
        kind=kind, size=with_length(sizes[at], length), size_shift=at - sizes.index(base),
        fabric=str(rng.choice(FABRICS[kind])), colour=tuple(clothing_colour(rng)),
        second_colour=tuple(clothing_colour(rng)), print=str(rng.choice(PRINTS)),
        print_period_m=float(rng.uniform(0.01, 0.08)))


def dress_body(body: BodyParameters, outfit: Outfit, device: str = "cpu") -> DressedMeshes:
    """Drape ``outfit`` on ``body`` in its rest pose, each garment over the ones before. The
    drapes' files live in a temporary folder only."""
    from neural.body.anny_body import rest_body
    from neural.drape.drape_garment import drape
    from neural.drape.layers import read_layers
    from neural.fitting.avatar_file import write_body_avatar
    from neural.garments.garment_file import write_garment

    rest_body_at_scale = BodyParameters(body.phenotypes, body.local_changes, {}, body.scale)
    with tempfile.TemporaryDirectory(prefix="dressing_") as work:
        work = Path(work)
        write_body_avatar(work / "avatar", rest_body_at_scale, "a synthetic person")
        gates, below = [], None
        for index, choice in enumerate(outfit.garments):
            write_garment(work / f"garment{index}", choice.kind, choice.size, choice.fabric)
            fit = drape(work / "avatar", work / f"garment{index}", work / f"drape{index}",
                        device, over=below)
            gates.append({name: gate["pass"] for name, gate in fit["gates"].items()})
            below = work / f"drape{index}"
        rest_vertices = rest_body(rest_body_at_scale)[0]
        layers = read_layers(below, rest_vertices)
    return DressedMeshes(
        vertices=[layer.vertices for layer in layers],
        faces=[layer.faces for layer in layers],
        colours=[garment_colours(layer.uv, choice)
                 for layer, choice in zip(layers, outfit.garments)],
        gates=gates)


def follow_pose(points: np.ndarray, rest_vertices: np.ndarray,
                posed_vertices: np.ndarray) -> np.ndarray:
    """``points`` (N, 3) near the rest-pose body moved as their ``NEAREST`` nearest body
    vertices move from ``rest_vertices`` to ``posed_vertices`` (inverse-distance weights)."""
    from scipy.spatial import cKDTree

    distances, nearest = cKDTree(rest_vertices).query(points, NEAREST)
    weights = 1.0 / np.maximum(distances, 1e-4)
    weights /= weights.sum(1, keepdims=True)
    moved = posed_vertices - rest_vertices
    return points + np.einsum("nk,nkd->nd", weights, moved[nearest])


def garment_colours(uv: np.ndarray, choice: GarmentChoice) -> np.ndarray:
    """Per-vertex sRGB (N, 3) of a garment from its pattern coordinates ``uv`` (N, 2; metres
    on the flat pattern): one colour, or stripes or checks of two."""
    first, second = np.asarray(choice.colour), np.asarray(choice.second_colour)
    phase = np.floor(uv / choice.print_period_m).astype(np.int64)
    if choice.print == "stripes":
        pick = phase[:, 1] % 2 == 1
    elif choice.print == "checks":
        pick = (phase[:, 0] + phase[:, 1]) % 2 == 1
    else:
        pick = np.zeros(len(uv), bool)
    return np.where(pick[:, None], second, first)
