"""Sewing for Newton's Style3D solver: zero-rest-length seam springs inside its implicit solve.

Style3D evaluates no springs of its own, so the seams join the solve through its collision
handler, which adds forces and Hessian terms in every non-linear iteration. Units: N/m.
"""
from __future__ import annotations

import numpy as np
import warp as wp
from newton._src.solvers.style3d.collision import Collision  # Style3D's contact handler


@wp.kernel
def _seam_force(ke: float, pairs: wp.array2d[int], q: wp.array[wp.vec3],
                forces: wp.array[wp.vec3], hessian_diagonal: wp.array[wp.mat33]):
    """Energy ke/2 |x_i - x_j|^2: force on both ends, ke * I on the Hessian diagonal."""
    t = wp.tid()
    i, j = pairs[t, 0], pairs[t, 1]
    force = ke * (q[j] - q[i])
    wp.atomic_add(forces, i, force)
    wp.atomic_add(forces, j, -force)
    wp.atomic_add(hessian_diagonal, i, ke * wp.identity(3, float))
    wp.atomic_add(hessian_diagonal, j, ke * wp.identity(3, float))


@wp.kernel
def _seam_off_diagonal(ke: float, pairs: wp.array2d[int], x: wp.array[wp.vec3],
                       hx: wp.array[wp.vec3]):
    """The seams' off-diagonal Hessian blocks (-ke * I) in the solver's matrix-vector product."""
    t = wp.tid()
    i, j = pairs[t, 0], pairs[t, 1]
    wp.atomic_add(hx, i, -ke * x[j])
    wp.atomic_add(hx, j, -ke * x[i])


class SewingCollision(Collision):
    """Style3D's collision handling plus seam springs between vertex ``pairs`` (S, 2)."""

    def __init__(self, model, pairs: np.ndarray, stiffness: float):
        super().__init__(model)
        self.pairs = wp.array(pairs.astype(np.int32), dtype=int, device=model.device)
        self.stiffness = stiffness

    def accumulate_contact_force(self, dt, iteration, state_in, state_out, contacts,
                                 particle_forces, particle_q_prev, particle_stiff=None):
        super().accumulate_contact_force(dt, iteration, state_in, state_out, contacts,
                                         particle_forces, particle_q_prev, particle_stiff)
        wp.launch(_seam_force, dim=self.pairs.shape[0],
                  inputs=[self.stiffness, self.pairs, state_in.particle_q],
                  outputs=[particle_forces, self.contact_hessian_diags], device=self.model.device)

    def hessian_multiply(self, x):
        product = super().hessian_multiply(x)
        wp.launch(_seam_off_diagonal, dim=self.pairs.shape[0],
                  inputs=[self.stiffness, self.pairs, x], outputs=[product],
                  device=self.model.device)
        return product
