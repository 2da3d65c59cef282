"""The files that pass between stages, declared once as pydantic models: avatar.json (fit),
garment.json (garment), fit.json (drape) and render.json (render). Each stage checks its
document against its model before writing it (``checked``), so a file on disk always matches
the JSON Schema published for integrators in docs/schemas/ (``python -m neural.stage_files
DIR`` writes them). Units are in the names: cm, mm, m, s; frames are stated where they matter.

Top-level keys are closed (a new key must be declared here first); sections that are the
engine's own working data (a pattern's panels, a mesh's seams, diagnostics) stay open.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# avatar.json ---------------------------------------------------------------------------------

class MeasurementConfidence(_Closed):
    """How far one measurement read from the photos can be trusted."""

    outline_mismatch_cm: float = Field(
        description="girth the photos' outline adds beyond the fitted body (clothes, hair)")
    uncertainty_cm: float | None = Field(description="about a 90 % half-width; None: unknown")
    confidence: Literal["high", "medium", "low", "unknown"]
    interval_cm: list[float] | None = Field(
        None, min_length=2, max_length=2,
        description="[low, high] holding the truth for about 90 % of people, widened by what "
                    "the photos hide; None before calibration")


class ClothingSeen(_Closed):
    looks: Literal["loose", "fitted"]
    outline_excess_cm: float = Field(description="outline beyond the body, per photo")


class BodyShape(_Closed):
    phenotypes: dict[str, float] = Field(description="Anny's phenotype sliders, 0-1")
    local_changes: dict[str, float]
    scale: float


class BodyPose(_Closed):
    parameterization: str
    bones: dict[str, list[float]] = Field(description="rotation vector per bone, radians")


class SourcePhoto(_Closed):
    """A photo the fit read: never the image itself, only its digest and size."""

    view: Literal["front", "side"]
    sha256: str
    width: int = Field(description="px")
    height: int = Field(description="px")


class AvatarFile(_Closed):
    """avatar.json: the fit stage's body, beside avatar.glb (rest A-pose, glTF frame: Y-up,
    metres, facing +Z) and skeleton.npz."""

    schema_: Literal["tryon.avatar"] = Field(alias="schema")
    schema_version: int
    body_model: _Open = Field(description="name, version, rest pose and frame of the body model")
    height_cm: float
    shape: BodyShape
    pose: BodyPose
    measurements: dict[str, float] = Field(description="cm, on the rest-pose body")
    measurement_definitions: dict[str, str | dict]
    measurement_confidence: dict[str, MeasurementConfidence] | None = Field(
        None, description="per measurement; only for a body fitted to photos")
    clothing_seen: dict[str, ClothingSeen] | None = Field(
        None, description="per region, whether the photos showed loose or fitted clothes")
    diagnostics: _Open
    source_photos: list[SourcePhoto]
    skeleton: _Open


# garment.json --------------------------------------------------------------------------------

class Fabric(_Open):
    name: str
    density: float = Field(description="kg/m^2")
    color: list[float] = Field(min_length=3, max_length=3, description="linear RGB, 0-1")


class GarmentMeshInfo(_Open):
    spacing_cm: float
    vertex_count: int
    face_count: int
    seam_pairs: list[list[int]] = Field(description="vertex index pairs sewn together")


class GarmentFile(_Closed):
    """garment.json: a sewn pattern in one size, beside garment.glb (the flat panels, metres)."""

    schema_: Literal["tryon.garment"] = Field(alias="schema")
    schema_version: int
    garment: str
    size: str
    size_chart_row: dict[str, float] = Field(description="the size chart's row, cm")
    fabric: Fabric
    pattern: _Open = Field(description="panels (outlines in cm) and seams")
    mesh: GarmentMeshInfo


# fit.json ------------------------------------------------------------------------------------

class Gate(_Closed):
    threshold: float
    value: float
    pass_: bool = Field(alias="pass")


class Layer(_Closed):
    garment: str
    fabric: str
    color: list[float] | None = Field(None, min_length=3, max_length=3,
                                      description="linear RGB, 0-1 (older files: the fabric's)")


class DrapeAttempt(_Closed):
    name: str = Field(description="the settings tried: learned start (where a learned drape "
                      "ships), standard, then gentle; learned: the learned drape alone")
    failed_gates: list[str] = Field(description="the simulation gates this attempt failed")
    stopped_early: bool = Field(description="stopped while settling: cloth deep in the body")


class Simulation(_Closed):
    """Whether the drape may be shown: it passed every simulation gate (cloth outside the
    body, seams closed, settled, not through itself). Strain is a fit verdict, not counted."""

    passed: bool
    reason: str = Field(description="why it failed, in words; empty when it passed")
    attempts: list[DrapeAttempt]


class FitFile(_Closed):
    """fit.json: how a drape turned out, beside draped.glb: quality gates, fit per region
    (ease in cm, strain as a fraction) and per garment vertex (``fit_map``)."""

    schema_: Literal["tryon.fit"] = Field(alias="schema")
    schema_version: int
    avatar_photo_sha256: str | None
    garment: str
    size: str
    fabric: str
    color: list[float] | None = Field(None, min_length=3, max_length=3,
                                      description="the garment's linear RGB, 0-1 (older "
                                      "files: the fabric's)")
    strain_p50: float
    strain_p95: float
    strain_max: float
    shear_p95_deg: float
    vertices_inside_body: int
    max_penetration_mm: float
    seam_gap_max_mm: float
    self_intersecting_edges: int
    moving_fraction: float | None = Field(None, description="share of vertices still moving")
    gates: dict[str, Gate]
    simulation: Simulation
    layers_under: list[Layer]
    simulated_steps: int
    wall_time_s: float
    device: str
    fit_map_version: int
    regions: dict[str, dict[str, float]] = Field(
        description="per region (chest, waist, hip, ...): ease_cm, strain; 'length': hem cm")
    fit_map: dict[str, list[float]] = Field(description="strain and ease_mm per vertex")


# render.json ---------------------------------------------------------------------------------

class RenderFile(_Closed):
    """render.json: the pictures of a drape, one PNG per view beside it."""

    schema_: Literal["tryon.render"] = Field(alias="schema")
    schema_version: int
    engine: str
    template: str
    body: str = Field("realistic", description="how the body shows: realistic (skin), "
                      "mannequin (a matte form) or invisible (the ghost mannequin)")
    samples: int
    resolution: list[int] = Field(min_length=2, max_length=2, description="px, width x height")
    denoiser: str
    device: str
    views: list[str]
    seconds_per_image: float
    images: list[str]
    fitmap: str | None = Field(None, description="the fit map the garment is coloured by")


class NotRenderedFile(_Closed):
    """not_rendered.json: in a job's render folder instead of its pictures, when the drape
    failed its simulation gates (fit.json's ``simulation``) and must not be shown."""

    schema_: Literal["tryon.not_rendered"] = Field(alias="schema")
    schema_version: int
    reason: str = Field(description="why, in words, for the contact sheet and the storefront")


STAGE_FILES: dict[str, type[BaseModel]] = {
    "avatar.json": AvatarFile, "garment.json": GarmentFile, "fit.json": FitFile,
    "render.json": RenderFile, "not_rendered.json": NotRenderedFile}


def checked(name: str, document: dict) -> dict:
    """``document`` once it is known to match the model of stage file ``name``; a mismatch is
    the engine's own error (pydantic's ValidationError), never the user's."""
    STAGE_FILES[name].model_validate(document)
    return document
