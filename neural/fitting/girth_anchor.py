"""A prior on the fitted body's torso girths from the shape network's own measurement guesses.

The network predicts girths directly (its measurement head) as well as Anny parameters; the two
routes err differently, so the fit is pulled towards the head's chest, under-bust, waist, hip
and thigh girths, each weighted by the head's validation error. Girths are taken the way
``measure_body`` takes them: the planes are found once on the starting body, and the tape's
touching points are kept as fixed mesh edges (``measurements.girth_touches``), so the girth
follows the vertices differentiably.
"""
from __future__ import annotations

import numpy as np

from neural.body.anny_body import BodyParameters, anny_landmarks, rest_body
from neural.body.measurements import girth_touches
from neural.body.tape import plane_axes

MAE_TO_SIGMA = 1.25  # standard deviation of a normal error with this mean absolute error


class GirthAnchor:
    """``cost(rest_vertices)``: sum over girths of ((girth - target) / sigma)^2, girths in cm
    of the body scaled to ``height_m``."""

    def __init__(self, start: BodyParameters, height_m: float, targets_cm: dict[str, float],
                 errors_cm: dict[str, float], device: str = "cpu"):
        import torch

        touches = girth_touches(*rest_body(start, device), anny_landmarks())
        self.names, self.tapes = [], []  # per name: [(edges, t, plane axes)] to average
        for name, touching in touches.items():
            if name not in targets_cm or any(found is None for found in touching):
                continue
            self.names.append(name)
            self.tapes.append([
                (torch.as_tensor(edges, device=device),
                 torch.as_tensor(t, device=device, dtype=torch.float32),
                 torch.as_tensor(plane_axes(normal), device=device, dtype=torch.float32))
                for edges, t, normal in touching])
        self.targets = torch.tensor([targets_cm[n] for n in self.names], device=device)
        self.sigmas = torch.tensor([max(errors_cm.get(n, 2.0), 0.5) * MAE_TO_SIGMA
                                    for n in self.names], device=device)
        self.height_cm = height_m * 100.0

    def girths_cm(self, rest_vertices):
        """Girths (len(names),) in cm of Anny rest vertices (V, 3) scaled to the height."""
        import torch

        stature = rest_vertices[:, 2].max() - rest_vertices[:, 2].min()
        girths = []
        for tapes in self.tapes:
            around = []
            for edges, t, axes in tapes:
                start, end = rest_vertices[edges[:, 0]], rest_vertices[edges[:, 1]]
                flat = (start + t[:, None] * (end - start)) @ axes.T
                around.append((flat - flat.roll(1, 0)).norm(dim=1).sum())
            girths.append(torch.stack(around).mean())
        return torch.stack(girths) * (self.height_cm / stature)

    def cost(self, rest_vertices):
        if not self.names:
            return rest_vertices.sum() * 0.0
        return (((self.girths_cm(rest_vertices) - self.targets) / self.sigmas) ** 2).sum()


def anchor_from(init, phenotypes: np.ndarray, local_changes: np.ndarray, height_m: float,
                device: str) -> GirthAnchor | None:
    """The anchor for a ``ShapeInit`` that carries measurement guesses; None otherwise."""
    from neural.body.anny_body import LOCAL_CHANGES, PHENOTYPES

    if init is None or not init.measurements_cm:
        return None
    start = BodyParameters(phenotypes=dict(zip(PHENOTYPES, phenotypes.tolist())),
                           local_changes=dict(zip(LOCAL_CHANGES, local_changes.tolist())))
    return GirthAnchor(start, height_m, init.measurements_cm, init.measurement_errors_cm, device)
