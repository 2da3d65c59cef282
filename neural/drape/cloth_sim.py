"""Settling sewn cloth on a static body with Newton's Style3D solver (Warp: CUDA or CPU).

Frame: Z-up, metres, seconds. The body is a static triangle-mesh collider.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from neural.drape.fit_metrics import SETTLED_FRACTION, SETTLED_SPEED


@dataclass
class ClothSettings:
    """Time stepping and contact parameters (SI units)."""

    fps: int = 20  # 60 Hz x 5 substeps x 5 linear iterations: the same gates at 2-6x the time
    substeps: int = 4  # 12.5 ms steps; 3 (16.7 ms) left a tight dress or knit 5-7 % stretched
    iterations: int = 2
    linear_iterations: int = 10  # per Newton iteration; 5 is too few at 12.5 ms steps
    sew_frames: int = 10  # frames without gravity while the seams close (0.5 s)
    settle_frames: int = 7  # frames with gravity afterwards, at least (0.35 s)
    max_frames: int = 80  # settling goes on until settled (see fit_metrics) or this many (4 s)
    settled_fraction: float = SETTLED_FRACTION
    settled_speed: float = SETTLED_SPEED
    damping: float = 2.0  # 1/s: velocities decay by exp(-damping * t) once gravity is on
    seam_stiffness: float = 3.0e5  # N/m; closes seams to 0.3-0.6 mm under a t-shirt's loads
    seam_force_max: float = 1.0  # N per seam pair while sewing (see seam_springs), then no cap
    contact_stiffness: float = 1.0e4  # N/m
    contact_gap: float = 0.02  # m, how far ahead body contacts are looked for (once a frame)
    detect_per_frame: bool = True  # find body and self contacts once a frame, not every substep
    particle_radius: float = 0.004  # m, cloth thickness against the body


@dataclass
class Fabric:
    """Areal density (kg/m^2), stretch and shear stiffness (N/m), bending (N*m), friction."""

    density: float
    stretch: float
    shear: float
    bend: float
    friction: float


@dataclass
class ClothResult:
    """Final positions (V, 3) m, substeps simulated, and each vertex's speed (m/s) over the
    last frame (how settled the drape is)."""

    positions: np.ndarray
    substeps: int
    speeds: np.ndarray


def simulate_cloth(
    positions: np.ndarray,
    faces: np.ndarray,
    rest_uv: np.ndarray,
    seam_pairs: np.ndarray,
    body_vertices: np.ndarray,
    body_faces: np.ndarray,
    fabric: Fabric,
    device: str = "cpu",
    settings: ClothSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ClothResult:
    """Sew, then settle the garment until at most ``settled_fraction`` of its vertices move
    faster than ``settled_speed`` (or ``max_frames`` have passed)."""
    import warp as wp

    from neural.quiet import quiet_warp

    quiet_warp()
    import newton
    from newton.solvers import style3d

    from neural.drape.seam_springs import SewingCollision

    settings = settings or ClothSettings()
    with wp.ScopedDevice(device):
        builder = newton.ModelBuilder(up_axis=newton.Axis.Z, gravity=(0.0, 0.0, -9.81))
        newton.solvers.SolverStyle3D.register_custom_attributes(builder)
        style3d.add_cloth_mesh(
            builder, pos=wp.vec3(0.0, 0.0, 0.0), rot=wp.quat_identity(), vel=wp.vec3(0.0, 0.0, 0.0),
            vertices=positions.tolist(), indices=faces.ravel().tolist(),
            panel_verts=rest_uv.tolist(), panel_indices=faces.ravel().tolist(),
            density=fabric.density, scale=1.0,
            tri_aniso_ke=wp.vec3(fabric.stretch, fabric.stretch, fabric.shear),
            edge_aniso_ke=wp.vec3(fabric.bend, fabric.bend, fabric.bend / 2),
            particle_radius=settings.particle_radius,
        )
        shape = newton.ModelBuilder.ShapeConfig(mu=fabric.friction, margin=0.0)
        builder.add_shape_mesh(body=-1, xform=wp.transform_identity(),
                               mesh=newton.Mesh(body_vertices.astype(np.float32),
                                                body_faces.astype(np.int32).ravel()),
                               cfg=shape, label="body")
        model = builder.finalize()
        model.soft_contact_ke = settings.contact_stiffness
        model.soft_contact_kd = 1.0e-5
        model.soft_contact_mu = fabric.friction
        config = newton.solvers.SolverStyle3D.Config(
            iterations=settings.iterations, linear_iterations=settings.linear_iterations)
        solver = newton.solvers.SolverStyle3D(model, config=config)
        solver.collision = SewingCollision(model, seam_pairs, settings.seam_stiffness,
                                           settings.seam_force_max)
        pipeline = newton.CollisionPipeline(model, soft_contact_gap=settings.contact_gap)
        contacts = pipeline.contacts()
        state, next_state, control = model.state(), model.state(), model.control()
        dt = 1.0 / (settings.fps * settings.substeps)
        decay = float(np.exp(-settings.damping / settings.fps))
        model.set_gravity((0.0, 0.0, 0.0))
        minimum = settings.sew_frames + settings.settle_frames
        last = max(settings.max_frames, minimum)
        frame, previous = 0, None
        while True:
            if frame == settings.sew_frames:
                model.set_gravity((0.0, 0.0, -9.81))
                solver.collision.force_max = float("inf")
            for substep in range(settings.substeps):
                detect = substep == 0 or not settings.detect_per_frame
                solver.collision.detect = detect
                if detect:
                    pipeline.collide(state, contacts)
                state.clear_forces()
                solver.step(state, next_state, control, contacts, dt)
                state, next_state = next_state, state
            frame += 1
            if frame > settings.sew_frames:
                state.particle_qd.assign(state.particle_qd.numpy() * decay)
            if progress:
                progress(frame, last)
            if frame >= minimum - 1:
                current = state.particle_q.numpy().astype(np.float64)
                if frame >= minimum:
                    speeds = np.linalg.norm(current - previous, axis=1) * settings.fps
                    moving = (speeds > settings.settled_speed).mean()
                    if moving <= settings.settled_fraction or frame >= last:
                        break
                previous = current
        result = current
    if not np.isfinite(result).all():
        raise RuntimeError("cloth simulation diverged (non-finite positions)")
    if progress:
        progress(last, last)
    return ClothResult(result, frame * settings.substeps, speeds)
