"""Job files (YAML) and their plan: every avatar x garment size, keyed by the inputs.

A job file is checked against ``JobFile`` (pydantic), which also holds every default; a
malformed one is refused in one line naming the field, before anything runs. Each task's
output folder is named by a hash of everything that determines it, so a finished task is found
again and never redone, and an interrupted job resumes where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from typing import Literal

import yaml
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from addon.scene.look import BODY_STYLES
from blend_templates import TEMPLATES, VIEWS
from neural.errors import InputError
from neural.files import sha256_file
from neural.stages import MAX_HEIGHT_CM, MIN_HEIGHT_CM


class _Strict(BaseModel):
    """A job file's section: unknown keys are refused (a misspelt key would be ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AvatarEntry(_Strict):
    """A person to dress: ``photo`` (+ ``side_photo``) and ``height_cm``, or ``avatar``, the
    folder of an avatar fitted before. Paths are relative to the job file."""

    photo: str | None = None
    side_photo: str | None = None
    height_cm: float | None = Field(None, ge=MIN_HEIGHT_CM, le=MAX_HEIGHT_CM)
    avatar: str | None = None

    @model_validator(mode="after")
    def _photo_or_avatar(self) -> "AvatarEntry":
        if self.avatar is not None:
            if self.photo or self.side_photo or self.height_cm is not None:
                raise ValueError("give either avatar (a fitted avatar's folder) or photo and "
                                 "height_cm, not both")
        elif self.photo is None:
            raise ValueError("needs photo and height_cm, or avatar (a fitted avatar's folder)")
        elif self.height_cm is None:
            raise ValueError("needs height_cm (the person's height in cm) with its photo")
        return self


class GarmentEntry(_Strict):
    """A built-in garment in one size or several (``sizes`` wins over ``size``)."""

    kind: str = "tshirt"
    size: str = "M"
    sizes: list[str] | None = Field(None, min_length=1)
    fabric: str = "cotton"
    color: tuple[float, float, float] | None = Field(
        None, description="linear RGB, 0-1; default the fabric's own colour")

    @field_validator("color")
    @classmethod
    def _color_in_range(cls, value):
        if value is not None and not all(0.0 <= c <= 1.0 for c in value):
            raise ValueError("colour values must lie in 0-1 (linear RGB)")
        return value

    @field_validator("size", mode="before")
    @classmethod
    def _size_as_text(cls, value):
        return str(value) if isinstance(value, (int, float)) else value

    @field_validator("sizes", mode="before")
    @classmethod
    def _sizes_as_text(cls, value):
        if isinstance(value, list):
            return [str(v) if isinstance(v, (int, float)) else v for v in value]
        return value

    @property
    def all_sizes(self) -> list[str]:
        return self.sizes or [self.size]


class RenderSettings(_Strict):
    """How each try-on is rendered: camera views, Cycles samples per pixel, image size in
    pixels (width, height), studio template, how the body shows."""

    views: list[Literal[tuple(VIEWS)]] = Field(["front"], min_length=1)
    samples: int = Field(32, ge=1, le=4096)
    resolution: tuple[int, int] = (512, 768)
    template: Literal[tuple(TEMPLATES)] = "studio"
    body: Literal[BODY_STYLES] = "realistic"

    @field_validator("resolution")
    @classmethod
    def _sensible_resolution(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not all(16 <= side <= 8192 for side in value):
            raise ValueError("each side must be 16-8192 px")
        return value


class OutfitGarment(GarmentEntry):
    """A garment of an outfit: in one size."""

    sizes: None = None


class JobFile(_Strict):
    """A whole job file: every avatar x every garment size and every outfit, rendered alike.
    An outfit lists its garments in dressing order (the first worn innermost), 2 to 4."""

    avatars: list[AvatarEntry] = Field(min_length=1)
    garments: list[GarmentEntry] = []
    outfits: list[list[OutfitGarment]] = []
    render: RenderSettings = RenderSettings()
    output: str | None = None  # relative to the job file
    priority: int = 0

    @model_validator(mode="after")
    def _something_to_wear(self):
        if not self.garments and not self.outfits:
            raise ValueError("a job needs garments or outfits")
        if any(not 2 <= len(outfit) <= 4 for outfit in self.outfits):
            raise ValueError("an outfit has 2 to 4 garments, in dressing order")
        return self


@dataclass(frozen=True)
class Worn:
    """A garment as worn in a try-on: kind, size, fabric and colour (None: the fabric's)."""

    kind: str
    size: str
    fabric: str
    color: tuple[float, float, float] | None = None

    def key(self) -> str:
        """The content key of the garment stage's output."""
        return content_key("garment", self.kind, self.size, self.fabric,
                           *([list(self.color)] if self.color else []))

    @property
    def label(self) -> str:
        return f"{self.kind} {self.size} {self.fabric}"


@dataclass(frozen=True)
class TryOn:
    """One try-on: avatar (photo(s) + height, or a fitted avatar's folder) x garment (kind,
    size, fabric; worn over the garments ``under``, in dressing order) x render settings."""

    photo: Path | None
    side_photo: Path | None
    height_cm: float | None
    kind: str
    size: str
    fabric: str
    views: tuple[str, ...]
    samples: int
    resolution: tuple[int, int]
    template: str
    avatar_key: str  # content key of the photo(s) and height, hashed once per avatar
    avatar_dir: Path | None = None  # a fitted avatar, used as it is
    color: tuple[float, float, float] | None = None  # the garment's; None: its fabric's
    under: tuple[Worn, ...] = ()  # worn under it, innermost first
    body: str = "realistic"  # how the body shows in the pictures

    @property
    def worn(self) -> Worn:
        return Worn(self.kind, self.size, self.fabric, self.color)

    def keys(self) -> dict:
        """Content keys of the four stage outputs (each includes its inputs' keys) and, per
        garment worn under, its garment's and drape's (``under``). A drape over others
        includes the key of the drape under it: changing an outer garment re-drapes only
        it."""
        avatar, below, under = self.avatar_key, None, []
        for worn in (*self.under, self.worn):
            garment = worn.key()
            drape = content_key("drape", avatar, garment, *([below] if below else []))
            under.append((garment, drape))
            below = drape
        garment, drape = under.pop()
        render = content_key("render", drape, self.views, self.samples, self.resolution,
                             self.template, *([self.body] if self.body != "realistic" else []))
        return {"avatar": avatar, "garment": garment, "drape": drape, "render": render,
                "under": under}


def load_job(path: str | os.PathLike) -> list[TryOn]:
    """Read a job file and expand it into try-ons; paths are relative to the job file."""
    path = Path(path)
    return job_try_ons(read_job(path), path)


def read_job(path: str | os.PathLike) -> JobFile:
    """A job file's content, checked against ``JobFile``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"job file not found: {path}")
    try:
        content = yaml.safe_load(path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(f"job file is not valid YAML: {path}") from error
    return parse_job(content, str(path))


def parse_job(content, name: str) -> JobFile:
    """``content`` (a job file's parsed YAML) as a ``JobFile``; ``name`` names it in errors.
    Garment kinds, sizes and fabrics are checked here too, so a job never starts with a
    garment that cannot be made."""
    from neural.garments.garment_file import GARMENTS, require_built_in
    from neural.garments.fabrics import fabric

    try:
        job = JobFile.model_validate(content if content is not None else {})
    except ValidationError as error:
        raise InputError(f"job file {name}: {_first_problem(error)}") from error
    worn = [(f"garments[{index}]", garment) for index, garment in enumerate(job.garments)]
    worn += [(f"outfits[{index}][{layer}]", garment) for index, outfit in enumerate(job.outfits)
             for layer, garment in enumerate(outfit)]
    for place, garment in worn:
        where = f"job file {name}: {place}"
        try:
            require_built_in(garment.kind)
            fabric(garment.fabric)
            for size in garment.all_sizes:
                GARMENTS[garment.kind](size)  # a pattern is made in milliseconds
        except InputError as error:
            raise InputError(f"{where}: {error}") from error
    return job


def _first_problem(error: ValidationError) -> str:
    """pydantic's first error as ``field.path: what was expected`` (and how many more)."""
    first = error.errors()[0]
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                    for part in first["loc"]).lstrip(".") or "the file"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] in ("model_type", "model_attributes_type", "dict_type"):
        message = "expected a mapping of keys to values"
    elif first["type"] == "extra_forbidden":
        message = "unknown key"
    more = error.error_count() - 1
    return f"{where}: {message}" + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")


def job_try_ons(job: JobFile, path: Path) -> list[TryOn]:
    """``read_job``'s content expanded into try-ons (avatars x (garments x sizes + outfits));
    paths are relative to the job file ``path``."""
    render = job.render
    try_ons = []
    for avatar in job.avatars:
        photo = side_photo = avatar_dir = None
        if avatar.avatar:
            avatar_dir = (path.parent / avatar.avatar).resolve()
            if not (avatar_dir / "avatar.json").is_file():
                raise InputError(f"no fitted avatar (avatar.json) in {avatar_dir}")
            avatar_key = content_key("fitted", sha256_file(avatar_dir / "avatar.json"))
        else:
            photo = _existing(path.parent / avatar.photo)
            side_photo = _existing(path.parent / avatar.side_photo) if avatar.side_photo else None
            photo_digests = [sha256_file(p) for p in (photo, side_photo) if p is not None]
            avatar_key = content_key("avatar", photo_digests[0], avatar.height_cm,
                                     *photo_digests[1:])
        worn = [((), Worn(garment.kind, size, garment.fabric, garment.color))
                for garment in job.garments for size in garment.all_sizes]
        worn += [(tuple(Worn(g.kind, g.size, g.fabric, g.color) for g in outfit[:-1]),
                  Worn(outfit[-1].kind, outfit[-1].size, outfit[-1].fabric, outfit[-1].color))
                 for outfit in job.outfits]
        for under, outer in worn:
            try_ons.append(TryOn(
                photo=photo, side_photo=side_photo, height_cm=avatar.height_cm,
                kind=outer.kind, size=outer.size, fabric=outer.fabric, color=outer.color,
                views=tuple(render.views), samples=render.samples,
                resolution=tuple(render.resolution), template=render.template,
                body=render.body, avatar_key=avatar_key, avatar_dir=avatar_dir, under=under,
            ))
    return try_ons


def _existing(photo: Path) -> Path:
    if not photo.is_file():
        raise InputError(f"photo not found: {photo.resolve()}")
    return photo.resolve()


def content_key(*parts) -> str:
    """A 16-hex-digit hash of JSON-able ``parts``: a task's output folder name."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
