"""One synthetic sample: a sampled body, its ground-truth measurements, its look and cameras;
dressed in draped garments, with simple hair, shoes and sometimes a hand-held bag, or in the
close-fitting painted clothes of the tight split.

Everything is derived from a single integer seed, so a sample can be rebuilt exactly. Every
vertex carries a pixel label (``LABELS``), so each photo has its map of what is body.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neural.body.anny_body import BodyParameters
from neural.photo.pixel_labels import LABELS
from neural.synthetic.appearance import (Appearance, clothing_colour, hair_colour,
                                         sample_appearance, vertex_colours)
from neural.synthetic.camera import Camera, sample_camera
from neural.synthetic.dressing import DressedMeshes, carry_into_pose, dress_body, sample_outfit

VIEWS = ("front", "side")
# cameras (35 mm-equivalent focal lengths; fraction of the image height the person spans):
# the dressed splits reach from phone wide-angle to fashion telephoto, and down to people
# 300 px tall in a 720 px photo
CAMERAS = {False: {"focal_mm": (26.0, 55.0), "fill": (0.55, 0.88)},
           True: {"focal_mm": (22.0, 135.0), "fill": (0.42, 0.88)}}


@dataclass
class SyntheticPerson:
    """Ground truth (body, measurements in cm) and what is needed to render each view."""

    seed: int
    body: BodyParameters
    measurements: dict[str, float]
    look: Appearance
    cameras: dict[str, Camera]
    vertices: np.ndarray  # (V, 3) posed body and what it wears, metres, Z-up, soles on z = 0
    faces: np.ndarray  # (F, 3)
    colours: np.ndarray  # (V, 3) sRGB
    labels: np.ndarray  # (V,) uint8, values of LABELS
    outfit: dict | None = None  # dressing.Outfit.to_json() with each drape's gates


def make_person(seed: int, size: tuple[int, int] = (540, 720), dressed: bool = False,
                device: str = "cpu", looseness: str | None = None) -> SyntheticPerson:
    """Sample body, look and one camera per view from ``seed``; ``dressed``: a body shaped like
    a measured adult (``sample_real_body``) in draped garments (drapes on ``device``), else one
    of Anny's own distribution in painted close-fitting clothes. ``looseness`` (fitted, loose)
    dresses the same body and camera in an outfit of that kind, drawn apart from the seed's
    own."""
    return make_people(seed, size, dressed, device, looseness)[0]


def make_people(seed: int, size: tuple[int, int] = (540, 720), dressed: bool = False,
                device: str = "cpu", looseness: str | None = None,
                stagings: int = 1, standing: bool = False) -> list[SyntheticPerson]:
    """``make_person`` staged ``stagings`` times: the first is the seed's own person; each
    other stands the same body, in the same draped clothes, in another stance (when dressed)
    with another look and cameras. One drape serves them all: the cloth solver carries it into
    each stance. ``standing``: a close-fitting person stands in a drawn stance too, as dressed
    ones always do (else in the A-pose)."""
    from neural.body.anny_body import anny_landmarks, rest_body
    from neural.body.measurements import measure_body
    from neural.synthetic.body_sampler import (sample_body, sample_real_body,
                                               sample_standing_body)

    body = (sample_real_body if dressed else sample_standing_body if standing else
            sample_body)(seed)
    rest_vertices, faces, joints = rest_body(body)
    measurements = measure_body(rest_vertices, faces, joints, anny_landmarks())
    dressing = None
    if dressed:
        dressing = _dress(np.random.default_rng([seed, 2, *_OUTFIT_STREAMS[looseness]]), body,
                          measurements, rest_vertices, joints, device, looseness)
    people = []
    for staging in range(stagings):
        if staging:
            body = sample_real_body(seed, staging) if dressed else body
        people.append(_staged(seed, staging, body, measurements, rest_vertices, faces, joints,
                              dressing, size, device))
    return people


_OUTFIT_STREAMS = {None: (), "fitted": (1,), "loose": (2,)}  # random streams of the outfits


@dataclass
class _Dressing:
    """What a dressed body wears, in its rest pose: hair and shoes (body vertices and their
    colours), the draped garments, the bag it may hold, and the outfit with the drapes' gates."""

    hair: np.ndarray  # (V,) bool
    hair_colour: np.ndarray
    shoes: np.ndarray  # (V,) bool
    shoe_colour: np.ndarray
    garments: DressedMeshes
    bag: _BagChoice | None
    outfit: dict

    def body_colours(self, skin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """sRGB colours (V, 3) and labels (V,) of the body's own vertices."""
        colours = np.tile(np.asarray(skin, float), (len(self.hair), 1))
        labels = np.full(len(self.hair), LABELS["skin"], np.uint8)
        colours[self.hair], labels[self.hair] = self.hair_colour, LABELS["hair"]
        colours[self.shoes], labels[self.shoes] = self.shoe_colour, LABELS["garment"]
        return colours, labels

    def meshes(self, body: BodyParameters, rest_vertices: np.ndarray,
               posed_vertices: np.ndarray, joints: dict, device: str
               ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, int]]:
        """(vertices, faces, colours, label) of each garment and the bag, on ``body`` in its
        pose (``posed_vertices``; garments carried there on ``device``)."""
        meshes = [(v, f, c, LABELS["garment"]) for v, f, c in zip(
            carry_into_pose(self.garments, body, device), self.garments.faces,
            self.garments.colours)]
        if self.bag is not None:
            meshes.append(self.bag.mesh(rest_vertices, posed_vertices, joints))
        return meshes


def _dress(rng: np.random.Generator, body: BodyParameters, measurements: dict,
           rest_vertices: np.ndarray, joints: dict, device: str,
           looseness: str | None = None) -> _Dressing:
    """Dress the body: an outfit (of ``looseness``, when given) draped on it, hair, shoes and
    sometimes a bag."""
    outfit = sample_outfit(rng, measurements, body.phenotypes["gender"], looseness)
    garments = dress_body(body, outfit, device)
    hair = _scalp(rest_vertices, joints, rng.uniform(0.0, 1.0))
    hair_rgb = hair_colour(rng)
    ankle_z = max(joints["ankle.L"][2], joints["ankle.R"][2])
    shoes = rest_vertices[:, 2] < ankle_z + 0.03
    shoe_rgb = clothing_colour(rng) * 0.6
    bag = _BagChoice.draw(rng) if rng.uniform() < 0.3 else None
    return _Dressing(hair, hair_rgb, shoes, shoe_rgb, garments, bag,
                     outfit.to_json() | {"gates": garments.gates})


def _staged(seed: int, staging: int, body: BodyParameters, measurements: dict,
            rest_vertices: np.ndarray, faces: np.ndarray, joints: dict,
            dressing: _Dressing | None, size: tuple[int, int], device: str = "cpu"
            ) -> SyntheticPerson:
    """One photo session of a person: the body posed, a look and one camera per view."""
    from neural.body.anny_body import posed_body

    rng = np.random.default_rng([seed, 1] if staging == 0 else [seed, 1, staging])
    look = sample_appearance(rng)
    vertices = posed_body(body)
    if dressing is None:
        colours = vertex_colours(rest_vertices, joints, look)
        labels = np.full(len(vertices), LABELS["skin"], np.uint8)
    else:
        colours, labels = dressing.body_colours(look.skin)
        for part_vertices, part_faces, part_colours, label in dressing.meshes(
                body, rest_vertices, vertices, joints, device):
            faces = np.vstack([faces, part_faces + len(vertices)])
            vertices = np.vstack([vertices, part_vertices])
            colours = np.vstack([colours, part_colours])
            labels = np.concatenate([labels, np.full(len(part_vertices), label, np.uint8)])
    stature = float(rest_vertices[:, 2].max())
    cameras = {view: sample_camera(rng, view, stature, vertices, size,
                                   **CAMERAS[dressing is not None]) for view in VIEWS}
    return SyntheticPerson(seed=seed, body=body, look=look, measurements=measurements,
                           cameras=cameras, vertices=vertices, faces=faces, colours=colours,
                           labels=labels, outfit=dressing.outfit if dressing else None)


def _scalp(rest_vertices: np.ndarray, joints: dict, length: float) -> np.ndarray:
    """Vertices covered by hair: the top of the head, and the back of it down to the nape or,
    for longer hair (``length`` 0-1), towards the shoulders."""
    base = joints["head_base"]  # about the level of the ears
    top = rest_vertices[:, 2].max()
    x, y, z = rest_vertices.T
    crown = z > base[2] + 0.45 * (top - base[2])
    back = (y > base[1]) & (z > base[2] - 0.02 - 0.15 * length) & (np.abs(x - base[0]) < 0.11)
    return crown | back


@dataclass(frozen=True)
class _BagChoice:
    """A box-shaped bag hanging from one hand (0.2-0.35 m wide) and its colour."""

    side: str  # L or R
    size_m: tuple[float, float, float]  # width, depth, height
    colour: tuple[float, float, float]  # sRGB

    @classmethod
    def draw(cls, rng: np.random.Generator) -> _BagChoice:
        side = "L" if rng.uniform() < 0.5 else "R"
        size = (rng.uniform(0.2, 0.35), rng.uniform(0.06, 0.14), rng.uniform(0.18, 0.32))
        return cls(side, size, tuple(clothing_colour(rng)))

    def mesh(self, rest_vertices: np.ndarray, posed_vertices: np.ndarray,
             joints: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """The bag in the hand of the posed body: vertices, faces, colours, label."""
        import trimesh

        near_wrist = np.linalg.norm(rest_vertices - joints[f"wrist.{self.side}"], axis=1) < 0.04
        hand = posed_vertices[near_wrist].mean(0)
        width, depth, height = self.size_m
        box = trimesh.creation.box((width, depth, height))
        centre = hand + np.array([0.0, -depth, -0.08 - height / 2])  # hangs below, a little ahead
        vertices = np.asarray(box.vertices) + centre
        colour = np.tile(self.colour, (len(vertices), 1))
        return vertices, np.asarray(box.faces), colour, LABELS["accessory"]
