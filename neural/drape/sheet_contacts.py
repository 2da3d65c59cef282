"""Contacts with open surfaces (the garments worn under) that know where the surface ends.

Newton signs a particle's distance to a mesh that is not closed by the pseudo-normal at its
closest point. Where that point is on the rim of an open surface (a t-shirt's sleeve hem), the
rim's one face extends the surface as a plane past it: cloth hanging beyond the hem, inside
that plane, is taken for cloth that went through the surface, and is pushed hard onto the rim
(and, with the body in the same mesh, the body's contact is lost to the nearer rim). Here the
contacts whose closest point is on a rim are made unsigned: the rim pushes the particle away
from itself, as a thin edge of cloth does. Units: metres.
"""
from __future__ import annotations

import numpy as np
import warp as wp

from neural.drape.fit_metrics import RIM_WEIGHT, rim_flags

_RIM_WEIGHT = wp.constant(RIM_WEIGHT)


@wp.kernel
def _unsigned_at_rims(count: wp.array[int], contact_max: int, shapes: wp.array[int],
                      particles: wp.array[int], q: wp.array[wp.vec3],
                      shape_mesh: wp.array[wp.uint64], shape_flags_start: wp.array[int],
                      flags: wp.array[int], max_dist: float,
                      body_pos: wp.array[wp.vec3], normal: wp.array[wp.vec3]):
    t = wp.tid()
    if t >= wp.min(count[0], contact_max):
        return
    shape = shapes[t]
    start = shape_flags_start[shape]
    if start < 0:
        return
    x = q[particles[t]]
    mesh = shape_mesh[shape]
    query = wp.mesh_query_point_no_sign(mesh, x, max_dist)
    if not query.result:
        return
    weights = wp.vec3(query.u, query.v, 1.0 - query.u - query.v)
    face_flags = flags[start + query.face]
    zeros = int(0)
    zero = int(0)
    other = int(0)
    for i in range(3):
        if weights[i] <= _RIM_WEIGHT:
            zeros += 1
            zero = i
        else:
            other = i
    rim = False
    if zeros == 1:
        rim = (face_flags & (1 << zero)) != 0
    if zeros == 2:
        rim = (face_flags & (8 << other)) != 0
    if not rim:
        return
    closest = wp.mesh_eval_position(mesh, query.face, query.u, query.v)
    away = x - closest
    length = wp.length(away)
    if length > 1.0e-9:
        body_pos[t] = closest
        normal[t] = away / length


class SheetContacts:
    """Rim-aware contacts for the collision shapes ``shapes`` (indices in ``model``), each the
    static open surface ``meshes[i]`` (Newton meshes, identity transform)."""

    def __init__(self, model, shapes: list[int], meshes: list, faces: list[np.ndarray],
                 query_distance: float):
        starts = np.full(model.shape_count, -1, dtype=np.int32)
        offset, chunks = 0, []
        ids = np.zeros(model.shape_count, dtype=np.uint64)
        for shape, mesh, mesh_faces in zip(shapes, meshes, faces):
            starts[shape] = offset
            chunks.append(rim_flags(mesh_faces).astype(np.int32))
            offset += len(mesh_faces)
            ids[shape] = mesh.id
        device = model.device
        self.starts = wp.array(starts, dtype=int, device=device)
        self.flags = wp.array(np.concatenate(chunks) if chunks else np.zeros(1, np.int32),
                              dtype=int, device=device)
        self.ids = wp.array(ids, dtype=wp.uint64, device=device)
        self.query_distance = query_distance
        self.active = bool(shapes)

    def apply(self, contacts, particle_q) -> None:
        """Make the rim contacts among ``contacts`` (just detected at ``particle_q``)
        unsigned."""
        if not self.active:
            return
        wp.launch(_unsigned_at_rims, dim=contacts.soft_contact_max,
                  inputs=[contacts.soft_contact_count, contacts.soft_contact_max,
                          contacts.soft_contact_shape, contacts.soft_contact_particle,
                          particle_q, self.ids, self.starts, self.flags, self.query_distance],
                  outputs=[contacts.soft_contact_body_pos, contacts.soft_contact_normal],
                  device=particle_q.device)
