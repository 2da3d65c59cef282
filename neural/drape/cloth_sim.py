"""Sewn cloth on a body with Newton's Style3D solver (Warp: CUDA or CPU).

``simulate_cloth`` sews a garment's panels round a static body (and the garments worn under
it) and lets it settle; ``carry_cloth`` takes a settled garment along while its collider moves
(a body going from its rest pose into a stance), then lets it settle again.

Frame: Z-up, metres, seconds. The collider is a triangle mesh; the garments worn under are open
surfaces, each a collision shape of its own (``sheet_contacts``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from neural.drape.fit_metrics import SETTLED_FRACTION, SETTLED_SPEED


WATCH_EVERY = 5  # frames between looks at a drape that may be going wrong


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
    last frame (how settled the drape is); ``carry_cloth`` also gives the positions at the end
    of each of its collider's frames (K, V, 3). A drape stopped before settling
    (``stopped_early``) has no speeds measured: all are reported infinite."""

    positions: np.ndarray
    substeps: int
    speeds: np.ndarray
    along: np.ndarray | None = None
    stopped_early: bool = False


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
    going_well: Callable[[np.ndarray], bool] | None = None,
    sheets: list[tuple[np.ndarray, np.ndarray]] = (),
) -> ClothResult:
    """Sew, then settle the garment until at most ``settled_fraction`` of its vertices move
    faster than ``settled_speed`` (or ``max_frames`` have passed). ``going_well(positions)``,
    when given, judges the garment every ``WATCH_EVERY`` frames while it settles: False stops
    the drape there (the result's ``stopped_early`` is set), a bad start that settling would
    not mend. ``sheets`` are the garments worn under (vertices, faces), open surfaces whose
    normals face away from the body, collided with beside the body, not as part of it: a
    particle near both gets a contact with each, and past a sheet's rim its plane does not
    push (``sheet_contacts``)."""
    import warp as wp

    settings = settings or ClothSettings()
    least = settings.sew_frames + settings.settle_frames
    last = max(settings.max_frames, least)
    with wp.ScopedDevice(device):
        world = _ClothWorld(positions, faces, rest_uv, seam_pairs, body_vertices[None],
                            body_faces, fabric, settings, sheets)
        world.sewing(True)
        while world.frame < settings.sew_frames:
            world.step_frame()
            _report(progress, world.frame, last)
        world.sewing(False)
        result = world.settle(least, last, lambda frame: _report(progress, frame, last),
                              going_well)
    _report(progress, last, last)
    return result


def carry_cloth(
    positions: np.ndarray,
    faces: np.ndarray,
    rest_uv: np.ndarray,
    seam_pairs: np.ndarray,
    collider_frames: np.ndarray,
    collider_faces: np.ndarray,
    fabric: Fabric,
    device: str = "cpu",
    settings: ClothSettings | None = None,
    sheets: list[tuple[np.ndarray, np.ndarray]] = (),
) -> ClothResult:
    """Take the settled, sewn garment at ``positions`` along while its collider moves through
    ``collider_frames`` (K, V, 3: one per frame, straight lines between them substep by
    substep, starting from the first), then settle it on the last (at least
    ``settle_frames``, at most ``max_frames`` more frames). Seams pull uncapped throughout.
    ``sheets``: the garments worn under as open surfaces (``simulate_cloth``), each moving
    with the collider through its own frames (K, V_i, 3)."""
    import warp as wp

    settings = settings or ClothSettings()
    with wp.ScopedDevice(device):
        world = _ClothWorld(positions, faces, rest_uv, seam_pairs, collider_frames,
                            collider_faces, fabric, settings, sheets)
        world.sewing(False)
        along = [world.step_frame(toward=k) for k in range(1, len(collider_frames))]
        result = world.settle(world.frame + settings.settle_frames,
                              world.frame + max(settings.max_frames, settings.settle_frames))
    return replace(result, along=np.stack(along) if along else positions[None].copy())


def _report(progress: Callable[[int, int], None] | None, frame: int, last: int) -> None:
    if progress:
        progress(min(frame, last), last)


class _ClothWorld:
    """One garment and its collider in Newton, on Warp's current device: model, Style3D solver
    with seam springs, and contacts. The collider's vertices can be moved
    (``step_frame(toward=...)``), and with them the ``sheets`` (open surfaces worn under:
    vertices (V, 3), still, or (K, V, 3), a frame for each of the collider's)."""

    def __init__(self, positions: np.ndarray, faces: np.ndarray, rest_uv: np.ndarray,
                 seam_pairs: np.ndarray, collider_frames: np.ndarray, collider_faces: np.ndarray,
                 fabric: Fabric, settings: ClothSettings,
                 sheets: list[tuple[np.ndarray, np.ndarray]] = ()):
        import warp as wp

        from neural.quiet import quiet_warp

        quiet_warp()
        import newton
        from newton.solvers import style3d

        from neural.drape.seam_springs import SewingCollision
        from neural.drape.sheet_contacts import SheetContacts

        self.settings, self.frames = settings, collider_frames.astype(np.float32)
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
        self.collider = newton.Mesh(self.frames[0], collider_faces.astype(np.int32).ravel())
        body = builder.add_shape_mesh(body=-1, xform=wp.transform_identity(),
                                      mesh=self.collider, cfg=shape, label="body")
        self.sheet_frames = [np.asarray(v, np.float32).reshape(-1, *np.shape(v)[-2:])
                             for v, _ in sheets]
        sheet_meshes = [newton.Mesh(frames[0], f.astype(np.int32).ravel())
                        for frames, (_, f) in zip(self.sheet_frames, sheets)]
        sheet_shapes = [builder.add_shape_mesh(body=-1, xform=wp.transform_identity(),
                                               mesh=mesh, cfg=shape, label=f"under_{i}")
                        for i, mesh in enumerate(sheet_meshes)]
        builder.add_ground_plane(cfg=shape, label="floor")  # the feet stand on z = 0
        self.model = model = builder.finalize()
        lower, upper = model.shape_collision_aabb_lower, model.shape_collision_aabb_upper
        for shape_index, frames in ((body, self.frames), *zip(sheet_shapes, self.sheet_frames)):
            if len(frames) > 1:  # contacts are culled by a shape's bounds: all its frames'
                lower[shape_index:shape_index + 1].assign(frames.min((0, 1))[None] - 0.01)
                upper[shape_index:shape_index + 1].assign(frames.max((0, 1))[None] + 0.01)
        model.soft_contact_ke = settings.contact_stiffness
        model.soft_contact_kd = 1.0e-5
        model.soft_contact_mu = fabric.friction
        config = newton.solvers.SolverStyle3D.Config(
            iterations=settings.iterations, linear_iterations=settings.linear_iterations)
        self.solver = newton.solvers.SolverStyle3D(model, config=config)
        self.solver.collision = SewingCollision(model, seam_pairs, settings.seam_stiffness,
                                                settings.seam_force_max)
        self.pipeline = newton.CollisionPipeline(model, soft_contact_gap=settings.contact_gap)
        self.sheet_meshes = [mesh.mesh for mesh in sheet_meshes]  # Warp's, made by finalize
        self.sheets = SheetContacts(model, sheet_shapes, self.sheet_meshes,
                                    [f for _, f in sheets],
                                    settings.contact_gap + 2 * settings.particle_radius)
        self.contacts = self.pipeline.contacts()
        self.state, self.next_state = model.state(), model.state()
        self.control = model.control()
        self.dt = 1.0 / (settings.fps * settings.substeps)
        self.decay = float(np.exp(-settings.damping / settings.fps))
        self.frame = 0
        self.damped = False

    def sewing(self, on: bool) -> None:
        """While sewing: no gravity, capped seam pulls, no damping."""
        self.model.set_gravity((0.0, 0.0, 0.0) if on else (0.0, 0.0, -9.81))
        self.solver.collision.force_max = (self.settings.seam_force_max if on
                                           else float("inf"))
        self.damped = not on

    def step_frame(self, toward: int | None = None) -> np.ndarray:
        """One frame of substeps (with the collider moved from the previous of its frames to
        frame ``toward``, when given); the cloth's positions (V, 3) after it."""
        moving = toward is not None
        for substep in range(self.settings.substeps):
            if moving:
                self._move_collider(toward, (substep + 1) / self.settings.substeps)
            detect = moving or substep == 0 or not self.settings.detect_per_frame
            self.solver.collision.detect = detect
            if detect:
                self.pipeline.collide(self.state, self.contacts)
                self.sheets.apply(self.contacts, self.state.particle_q)
            self.state.clear_forces()
            self.solver.step(self.state, self.next_state, self.control, self.contacts, self.dt)
            self.state, self.next_state = self.next_state, self.state
        self.frame += 1
        if self.damped:
            self.state.particle_qd.assign(self.state.particle_qd.numpy() * self.decay)
        return self.positions()

    def settle(self, least: int, last: int, progress: Callable[[int], None] | None = None,
               going_well: Callable[[np.ndarray], bool] | None = None) -> ClothResult:
        """Frames on a still collider until settled (at most ``settled_fraction`` of the
        vertices faster than ``settled_speed`` over a frame) once frame ``least`` is reached,
        or until frame ``last`` (frames counted from the world's start); stopped early when
        ``going_well`` (asked every ``WATCH_EVERY`` frames) says no."""
        if len(self.frames) > 1:
            self.collider.mesh.velocities.zero_()
        previous = self.positions()
        while True:
            current = self.step_frame()
            if progress:
                progress(self.frame)
            speeds = np.linalg.norm(current - previous, axis=1) * self.settings.fps
            moving = (speeds > self.settings.settled_speed).mean()
            if self.frame >= least and (moving <= self.settings.settled_fraction
                                        or self.frame >= last):
                break
            if going_well and self.frame % WATCH_EVERY == 0 and not going_well(current):
                return self.stopped()
            previous = current
        if not np.isfinite(current).all():
            raise RuntimeError("cloth simulation diverged (non-finite positions)")
        return ClothResult(current, self.frame * self.settings.substeps, speeds)

    def positions(self) -> np.ndarray:
        return self.state.particle_q.numpy().astype(np.float64)

    def stopped(self) -> ClothResult:
        """The result of a drape stopped now, before settling."""
        positions = self.positions()
        return ClothResult(positions, self.frame * self.settings.substeps,
                           np.full(len(positions), np.inf), stopped_early=True)

    def _move_collider(self, toward: int, fraction: float) -> None:
        """Collider vertices (and the moving sheets') a ``fraction`` of the way from frame
        ``toward - 1`` to ``toward``, with their velocities (for friction), search trees
        refitted."""
        for frames, mesh in ((self.frames, self.collider.mesh),
                             *zip(self.sheet_frames, self.sheet_meshes)):
            if len(frames) < 2:
                continue
            start, end = frames[toward - 1], frames[toward]
            mesh.points.assign(start + fraction * (end - start))
            mesh.velocities.assign((end - start) * self.settings.fps)
            mesh.refit()
