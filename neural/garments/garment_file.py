"""garment.json + garment.glb: the garment stage's output contract.

garment.glb holds every panel flat, side by side in the XZ plane (glTF frame on disk); its UVs
are the pattern coordinates in metres, so a fabric texture keeps its real-world scale.
garment.json holds the pattern (cm), size-chart row, fabric and the mesh's seam vertex pairs.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from neural.errors import InputError
from neural.files import write_bytes_atomic, write_json_atomic
from neural.garments.fabrics import fabric
from neural.garments.meshing import GarmentMesh, mesh_pattern
from neural.garments.pattern import Pattern
from neural.materials import Color, check_color, fabric_surface
from neural.garments import dress, hoodie, jacket, jeans, shirt, skirt, trousers, tshirt
from neural.mesh_io import glb_bytes, read_glb
from neural.stage_files import checked

SCHEMA = "tryon.garment"
SCHEMA_VERSION = 1
GARMENTS = {"tshirt": tshirt.tshirt_pattern, "skirt": skirt.skirt_pattern,
            "trousers": trousers.trousers_pattern, "dress": dress.dress_pattern,
            "shirt": shirt.shirt_pattern, "jacket": jacket.jacket_pattern,
            "hoodie": hoodie.hoodie_pattern, "jeans": jeans.jeans_pattern}
SIZE_CHARTS = {"tshirt": tshirt.SIZE_CHART, "skirt": skirt.SIZE_CHART,
               "trousers": trousers.SIZE_CHART, "dress": dress.SIZE_CHART,
               "shirt": shirt.SIZE_CHART, "jacket": jacket.SIZE_CHART,
               "hoodie": hoodie.SIZE_CHART, "jeans": jeans.SIZE_CHART}


def build_garment(kind: str, size: str, fabric_name: str, spacing_cm: float = 2.5
                  ) -> tuple[Pattern, GarmentMesh, dict]:
    """Pattern, mesh and fabric for one garment kind and size."""
    require_built_in(kind)
    params = fabric(fabric_name)
    pattern = GARMENTS[kind](size)
    return pattern, mesh_pattern(pattern, spacing_cm), params


def require_built_in(kind: str) -> None:
    """Refuse a garment kind that is not built in."""
    if kind not in GARMENTS:
        raise InputError(f"unknown garment {kind!r}: choose one of {', '.join(GARMENTS)}")


def write_garment(out_dir: str | os.PathLike, kind: str, size: str, fabric_name: str,
                  spacing_cm: float = 2.5, color: Color | None = None) -> dict:
    """Write garment.json and garment.glb for a built-in garment in ``color`` (linear RGB;
    default the fabric's own); return the JSON document."""
    pattern, mesh, params = build_garment(kind, size, fabric_name, spacing_cm)
    return _write(out_dir, pattern, mesh, fabric_name, params, spacing_cm, color)


def write_pattern_garment(out_dir: str | os.PathLike, pattern: Pattern, fabric_name: str,
                          spacing_cm: float = 2.5, color: Color | None = None) -> dict:
    """Write garment.json and garment.glb for any pattern (an import); return the document."""
    params = fabric(fabric_name)
    return _write(out_dir, pattern, mesh_pattern(pattern, spacing_cm), fabric_name, params,
                  spacing_cm, color)


def _write(out_dir: str | os.PathLike, pattern: Pattern, mesh: GarmentMesh, fabric_name: str,
           params: dict, spacing_cm: float, color: Color | None) -> dict:
    if color is not None:
        params = params | {"color": list(check_color(color))}
    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "garment": pattern.garment,
        "size": pattern.size,
        "size_chart_row": pattern.measurements,
        "fabric": {"name": fabric_name, **params},
        "pattern": pattern.to_dict(),
        "mesh": {
            "spacing_cm": spacing_cm,
            "vertex_count": int(len(mesh.uv)),
            "face_count": int(len(mesh.faces)),
            "panels": [{"name": n, "first_vertex": int(a), "vertex_count": int(b - a)}
                       for n, (a, b) in zip(mesh.panel_names, mesh.ranges)],
            "seam_pairs": mesh.seam_pairs.tolist(),
            "seam_ids": mesh.seam_ids.tolist(),
            "edge_vertices": [{"panel": panel, "edge": edge, "vertices": indices.tolist()}
                              for (panel, edge), indices in mesh.edge_vertices.items()],
        },
    }
    out_dir = Path(out_dir)
    write_bytes_atomic(out_dir / "garment.glb", glb_bytes(
        {"garment": (_flat_layout(mesh), mesh.faces, mesh.uv)},
        {"garment": fabric_surface(document["fabric"])}))
    write_json_atomic(out_dir / "garment.json", checked("garment.json", document))
    return document


def garment_mesh(document: dict, uv: np.ndarray, faces: np.ndarray) -> GarmentMesh:
    """The ``GarmentMesh`` that garment.json's mesh section and garment.glb describe."""
    mesh = document["mesh"]
    return GarmentMesh(
        uv, faces, [p["name"] for p in mesh["panels"]],
        [(p["first_vertex"], p["first_vertex"] + p["vertex_count"]) for p in mesh["panels"]],
        np.asarray(mesh["seam_pairs"], dtype=np.int64),
        np.asarray(mesh.get("seam_ids", np.zeros(len(mesh["seam_pairs"]))), dtype=np.int64),
        {(e["panel"], e["edge"]): np.asarray(e["vertices"], dtype=np.int64)
         for e in mesh.get("edge_vertices", [])})


def read_garment(path: str | os.PathLike) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """garment.json (or its folder) -> document, rest UVs (V, 2) m, faces (F, 3), seam pairs."""
    path = Path(path)
    if path.is_dir():
        path = path / "garment.json"
    if not path.is_file():
        raise InputError(f"garment not found: {path}")
    try:
        document = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"garment file is not valid JSON: {path}") from error
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise InputError(f"not a tryon garment file: {path}")
    if not isinstance(document.get("schema_version"), int) or document["schema_version"] > SCHEMA_VERSION:
        raise InputError(f"garment schema version {document.get('schema_version')} is newer than "
                         f"this program reads ({SCHEMA_VERSION}): {path}")
    glb = path.with_name("garment.glb")
    if not glb.is_file():
        raise InputError(f"garment mesh missing beside {path}: {glb}")
    _, faces, uv = read_glb(glb)["garment"]
    return document, uv, faces, np.asarray(document["mesh"]["seam_pairs"], dtype=np.int64)


def _flat_layout(mesh: GarmentMesh) -> np.ndarray:
    """Panels flat in the XZ plane (Z-up metres), side by side with 10 cm between them."""
    positions = np.zeros((len(mesh.uv), 3))
    cursor = 0.0
    for start, end in mesh.ranges:
        uv = mesh.uv[start:end]
        positions[start:end, 0] = uv[:, 0] - uv[:, 0].min() + cursor
        positions[start:end, 2] = uv[:, 1] - uv[:, 1].min()
        cursor = positions[start:end, 0].max() + 0.1
    return positions
