"""Dress a synthetic person in the project's own garments, draped by its own cloth solver.

An outfit is a bottom (trousers, jeans or a skirt) under a top (T-shirt, shirt or hoodie),
sometimes with a jacket over both, or a dress alone. Each garment's size is the size its chart
gives the body, shifted from one size too small to two too large; fabric, colour and print
(plain, stripes or checks, laid out in the pattern's own metres) are drawn at random. The
drapes run on the body in its rest pose (the A-pose), each garment over the ones below it;
the cloth solver then carries them along as the body moves into a stance (``carry_into_pose``:
arms brought down press the sides of a top in, as they do on a real person), so one drape
serves several stances. Frames: Z-up, metres, soles on z = 0. Deterministic for a seed.
"""
from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from neural.body.anny_body import BodyParameters
from neural.drape.cloth_sim import Fabric

TOPS = ("tshirt", "shirt", "hoodie")
BOTTOMS = ("trousers", "jeans", "skirt")
OUTERWEAR = ("jacket",)
FABRICS = {"tshirt": ("cotton", "jersey", "knit"), "shirt": ("cotton", "silk"),
           "hoodie": ("jersey", "knit", "cotton"), "jacket": ("denim", "wool_suiting"),
           "trousers": ("cotton", "wool_suiting"), "jeans": ("denim",),
           "skirt": ("cotton", "denim", "silk"), "dress": ("jersey", "silk", "cotton")}
SIZE_SHIFTS = (-1, 0, 0, 1, 1, 2)  # sizes off the chart's: one too small to two too large
PRINTS = ("plain", "plain", "stripes", "checks")
# carrying the garments into a stance: the body moves at most this far (m) per frame of the
# cloth solver (0.6 m/s at its 20 frames a second), then the cloth settles for a few frames
CARRY_STEP_M = 0.03
CARRY_SETTLE_FRAMES = (4, 16)  # at least, at most


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
    colours, one entry per garment (lowest first); each drape's quality gates; and what the
    cloth solver needs to move them: rest UVs (V, 2) m, seam pairs (S, 2) and fabric."""

    vertices: list[np.ndarray]
    faces: list[np.ndarray]
    colours: list[np.ndarray]
    gates: list[dict]
    uv: list[np.ndarray]
    seam_pairs: list[np.ndarray]
    fabrics: list[Fabric]


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
    from neural.drape.drape_garment import drape, garment_cloth
    from neural.drape.layers import read_layers
    from neural.fitting.avatar_file import write_body_avatar
    from neural.garments.garment_file import write_garment

    rest_body_at_scale = BodyParameters(body.phenotypes, body.local_changes, {}, body.scale)
    with tempfile.TemporaryDirectory(prefix="dressing_") as work:
        work = Path(work)
        write_body_avatar(work / "avatar", rest_body_at_scale, "a synthetic person")
        gates, cloths, below = [], [], None
        for index, choice in enumerate(outfit.garments):
            write_garment(work / f"garment{index}", choice.kind, choice.size, choice.fabric)
            fit = drape(work / "avatar", work / f"garment{index}", work / f"drape{index}",
                        device, over=below, keep_failed=True)
            gates.append({name: gate["pass"] for name, gate in fit["gates"].items()})
            cloths.append(garment_cloth(work / f"garment{index}")[1:])
            below = work / f"drape{index}"
        rest_vertices = rest_body(rest_body_at_scale)[0]
        layers = read_layers(below, rest_vertices)
    return DressedMeshes(
        vertices=[layer.vertices for layer in layers],
        faces=[layer.faces for layer in layers],
        colours=[garment_colours(layer.uv, choice)
                 for layer, choice in zip(layers, outfit.garments)],
        gates=gates, uv=[layer.uv for layer in layers],
        seam_pairs=[mesh.seam_pairs for mesh, _ in cloths],
        fabrics=[fabric for _, fabric in cloths])


def carry_into_pose(garments: DressedMeshes, body: BodyParameters, device: str = "cpu"
                    ) -> list[np.ndarray]:
    """Each garment's vertices (V, 3) on ``body`` in its pose: the cloth solver carries the
    rest-pose drapes, lowest first, while the body moves there from its rest pose (every
    rotation of its pose grown from nothing, ``CARRY_STEP_M`` at most per frame); each garment
    collides with the body and with the garments under it as open surfaces moving as they did
    (``cloth_sim``'s sheets)."""
    from neural.body.anny_body import posed_body, rest_body
    from neural.drape.cloth_sim import ClothSettings, carry_cloth
    from neural.drape.layers import seam_welding

    rest_vertices, body_faces, _ = rest_body(body)
    end = posed_body(body)
    frames = max(2, int(np.ceil(np.linalg.norm(end - rest_vertices, axis=1).max()
                                / CARRY_STEP_M)))
    shares = np.linspace(0.0, 1.0, frames + 1)
    # Anny's posed mesh with no rotation sits a little off its rest mesh (a few cm): that offset
    # fades out along the way, so the path starts on the drape's body and ends on the posed one
    offset = rest_vertices - posed_body(replace(body, pose={}))
    body_path = np.stack([posed_body(replace(body, pose={
        bone: (share * np.asarray(rotation)).tolist() for bone, rotation in body.pose.items()}))
        + (1.0 - share) * offset for share in shares[:-1]] + [end, end])  # twice: layers settle
    settings = ClothSettings(settle_frames=CARRY_SETTLE_FRAMES[0],
                             max_frames=CARRY_SETTLE_FRAMES[1])
    sheets, posed = [], []
    for vertices, faces, uv, seams, fabric in zip(garments.vertices, garments.faces, garments.uv,
                                                  garments.seam_pairs, garments.fabrics):
        carried = carry_cloth(vertices, faces, uv, seams, body_path, body_faces, fabric,
                              device, settings, sheets)
        path = np.concatenate([vertices[None], carried.along[:-1], carried.positions[None]])
        average, welded_faces = seam_welding(vertices, faces)
        sheets.append((np.stack([average @ frame for frame in path]), welded_faces))
        posed.append(carried.positions)
    return posed


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
