"""Sewing for Newton's Style3D solver: zero-rest-length seam springs inside its implicit solve.

Style3D evaluates no springs of its own, so the seams join the solve through its collision
handler, which adds forces and Hessian terms in every non-linear iteration. Units: N/m, N.

While the panels are being sewn each spring's pull is capped (``force_max``, N per seam pair):
panels start centimetres apart with the body between some seam pairs, and an uncapped pull
(3e5 N/m over 30 cm) drags cloth straight through the body faster than contact can push back;
a capped one lets the seam slide round the body. Once the seams are closed the cap is lifted.
"""
from __future__ import annotations

import numpy as np
import warp as wp
from newton._src.solvers.style3d.collision import Collision  # Style3D's contact handler


@wp.kernel
def _seam_force(ke: float, force_max: float, pairs: wp.array2d[int], q: wp.array[wp.vec3],
                forces: wp.array[wp.vec3], hessian_diagonal: wp.array[wp.mat33],
                stiffness: wp.array[float]):
    """Energy ke/2 |x_i - x_j|^2, its force capped at ``force_max``: force on both ends, the
    pair's (secant) stiffness times I on the Hessian diagonal, kept per pair in ``stiffness``."""
    t = wp.tid()
    i, j = pairs[t, 0], pairs[t, 1]
    gap = q[j] - q[i]
    k = wp.min(ke, force_max / wp.max(wp.length(gap), 1.0e-9))
    stiffness[t] = k
    wp.atomic_add(forces, i, k * gap)
    wp.atomic_add(forces, j, -k * gap)
    wp.atomic_add(hessian_diagonal, i, k * wp.identity(3, float))
    wp.atomic_add(hessian_diagonal, j, k * wp.identity(3, float))


@wp.kernel
def _seam_off_diagonal(stiffness: wp.array[float], pairs: wp.array2d[int],
                       x: wp.array[wp.vec3], hx: wp.array[wp.vec3]):
    """The seams' off-diagonal Hessian blocks (-k * I) in the solver's matrix-vector product."""
    t = wp.tid()
    i, j = pairs[t, 0], pairs[t, 1]
    wp.atomic_add(hx, i, -stiffness[t] * x[j])
    wp.atomic_add(hx, j, -stiffness[t] * x[i])


class SewingCollision(Collision):
    """Style3D's collision handling plus seam springs between vertex ``pairs`` (S, 2) of
    ``stiffness`` N/m, each pulling with at most ``force_max`` N (infinite: no cap)."""

    def __init__(self, model, pairs: np.ndarray, stiffness: float,
                 force_max: float = float("inf")):
        super().__init__(model)
        self.pairs = wp.array(pairs.astype(np.int32), dtype=int, device=model.device)
        self.stiffness = stiffness
        self.force_max = force_max
        self.pair_stiffness = wp.zeros(len(pairs), dtype=float, device=model.device)
        self.detect = True  # run the self-contact broad phase on the next step

    def frame_begin(self, particle_q, particle_qd, dt):
        """Style3D's self-contact broad phase (pairs within 9 mm), skipped unless ``detect``:
        the candidates of a frame's first substep serve its other substeps."""
        if self.detect:
            super().frame_begin(particle_q, particle_qd, dt)

    def accumulate_contact_force(self, dt, iteration, state_in, state_out, contacts,
                                 particle_forces, particle_q_prev, particle_stiff=None):
        super().accumulate_contact_force(dt, iteration, state_in, state_out, contacts,
                                         particle_forces, particle_q_prev, particle_stiff)
        wp.launch(_seam_force, dim=self.pairs.shape[0],
                  inputs=[self.stiffness, min(self.force_max, 1.0e30), self.pairs,
                          state_in.particle_q],
                  outputs=[particle_forces, self.contact_hessian_diags, self.pair_stiffness],
                  device=self.model.device)

    def hessian_multiply(self, x):
        product = super().hessian_multiply(x)
        wp.launch(_seam_off_diagonal, dim=self.pairs.shape[0],
                  inputs=[self.pair_stiffness, self.pairs, x], outputs=[product],
                  device=self.model.device)
        return product
