"""The JSON Schemas published for integrators in docs/schemas/: the job file (``job.JobFile``)
and the files that pass between stages (``neural.stage_files``), each made from the pydantic
model the program itself checks them with. ``python -m render_farm.schemas [FOLDER]`` writes
them (default docs/schemas); the test suite checks the published ones are current."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from neural.stage_files import AvatarFile, FitFile, GarmentFile, NotRenderedFile, RenderFile
from render_farm.job import JobFile

MODELS: dict[str, type[BaseModel]] = {
    "job": JobFile, "avatar": AvatarFile, "garment": GarmentFile, "fit": FitFile,
    "render": RenderFile, "not_rendered": NotRenderedFile}


def schema_text(model: type[BaseModel]) -> str:
    """``model``'s JSON Schema (2020-12, keys by their names in the files) as published."""
    return json.dumps(model.model_json_schema(by_alias=True), indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """``<name>.schema.json`` in ``folder`` for each of ``MODELS``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in MODELS.items():
        path = folder / f"{name}.schema.json"
        path.write_text(schema_text(model))
        written.append(path)
    return written


if __name__ == "__main__":
    for written in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas")):
        print(written)
