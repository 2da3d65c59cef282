"""Job files (YAML) and their plan: every avatar x garment size, keyed by the inputs.

Each task's output folder is named by a hash of everything that determines it, so a finished
task is found again and never redone, and an interrupted job resumes where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from neural.errors import InputError
from neural.files import sha256_file


@dataclass(frozen=True)
class Task:
    """One try-on: avatar (photo(s) + height, or a fitted avatar's folder) x garment (kind,
    size, fabric) x render settings."""

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

    def keys(self) -> dict[str, str]:
        """Content keys of the four stage outputs (each includes its inputs' keys)."""
        avatar = self.avatar_key
        garment = content_key("garment", self.kind, self.size, self.fabric)
        drape = content_key("drape", avatar, garment)
        render = content_key("render", drape, self.views, self.samples, self.resolution,
                             self.template)
        return {"avatar": avatar, "garment": garment, "drape": drape, "render": render}


def load_job(path: str | os.PathLike) -> list[Task]:
    """Read a job file and expand it into tasks; paths are relative to the job file.

    An avatar is ``{photo: FRONT, side_photo: SIDE (optional), height_cm: CM}``, or
    ``{avatar: DIR}``, the folder of an avatar fitted before (avatar.json, avatar.glb).
    """
    path = Path(path)
    return job_tasks(read_job(path), path)


def read_job(path: str | os.PathLike) -> dict:
    """A job file's content, checked to name avatars and garments."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"job file not found: {path}")
    try:
        job = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise InputError(f"job file is not valid YAML: {path}") from error
    if not isinstance(job, dict) or not job.get("avatars") or not job.get("garments"):
        raise InputError(f"job file needs 'avatars' and 'garments' lists: {path}")
    return job


def job_tasks(job: dict, path: Path) -> list[Task]:
    """``read_job``'s content expanded into tasks; paths are relative to the job file ``path``."""
    render = job.get("render", {})
    tasks = []
    for avatar in job["avatars"]:
        photo = side_photo = height_cm = avatar_dir = None
        if avatar.get("avatar"):
            avatar_dir = (path.parent / avatar["avatar"]).resolve()
            if not (avatar_dir / "avatar.json").is_file():
                raise InputError(f"no fitted avatar (avatar.json) in {avatar_dir}")
            avatar_key = content_key("fitted", sha256_file(avatar_dir / "avatar.json"))
        else:
            photo = _existing(path.parent / avatar["photo"])
            side_photo = _existing(path.parent / avatar["side_photo"]) if avatar.get(
                "side_photo") else None
            height_cm = float(avatar["height_cm"])
            photo_digests = [sha256_file(p) for p in (photo, side_photo) if p is not None]
            avatar_key = content_key("avatar", photo_digests[0], height_cm, *photo_digests[1:])
        for garment in job["garments"]:
            for size in garment.get("sizes", [garment.get("size", "M")]):
                tasks.append(Task(
                    photo=photo, side_photo=side_photo, height_cm=height_cm,
                    kind=garment.get("kind", "tshirt"), size=str(size),
                    fabric=garment.get("fabric", "cotton"),
                    views=tuple(render.get("views", ["front"])),
                    samples=int(render.get("samples", 32)),
                    resolution=tuple(render.get("resolution", [512, 768])),
                    template=render.get("template", "studio"),
                    avatar_key=avatar_key, avatar_dir=avatar_dir,
                ))
    return tasks


def _existing(photo: Path) -> Path:
    if not photo.is_file():
        raise InputError(f"photo not found: {photo.resolve()}")
    return photo.resolve()


def content_key(*parts) -> str:
    """A 16-hex-digit hash of JSON-able ``parts``: a task's output folder name."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
