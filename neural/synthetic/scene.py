"""One synthetic sample: a sampled body, its ground-truth measurements, its look and cameras.

Everything is derived from a single integer seed, so a sample can be rebuilt exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neural.body.anny_body import BodyParameters
from neural.synthetic.appearance import Appearance, sample_appearance, vertex_colours
from neural.synthetic.camera import Camera, sample_camera

VIEWS = ("front", "side")


@dataclass
class SyntheticPerson:
    """Ground truth (body, measurements in cm) and what is needed to render each view."""

    seed: int
    body: BodyParameters
    measurements: dict[str, float]
    look: Appearance
    cameras: dict[str, Camera]
    vertices: np.ndarray  # (V, 3) posed body, metres, Z-up, soles on z = 0
    faces: np.ndarray  # (F, 3)
    colours: np.ndarray  # (V, 3) sRGB


def make_person(seed: int, size: tuple[int, int] = (540, 720)) -> SyntheticPerson:
    """Sample body, look and one camera per view from ``seed``."""
    from neural.body.anny_body import anny_landmarks, posed_body, rest_body
    from neural.body.measurements import measure_body
    from neural.synthetic.body_sampler import sample_body

    body = sample_body(seed)
    rest_vertices, faces, joints = rest_body(body)
    rng = np.random.default_rng([seed, 1])
    look = sample_appearance(rng)
    vertices = posed_body(body)
    stature = float(rest_vertices[:, 2].max())
    cameras = {view: sample_camera(rng, view, stature, vertices, size) for view in VIEWS}
    return SyntheticPerson(
        seed=seed, body=body, look=look,
        measurements=measure_body(rest_vertices, faces, joints, anny_landmarks()),
        cameras=cameras, vertices=vertices, faces=faces,
        colours=vertex_colours(rest_vertices, joints, look),
    )
