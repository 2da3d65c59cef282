"""A drape's fit map as a 3D model: draped.glb with the garment coloured per vertex by its
fit.json ``fit_map`` (``addon.scene.fitmap_scale``; ease by default: red where the cloth touches
the body, blue where it hangs 5 cm or more off), for web viewers that show a GLB as it is."""
from __future__ import annotations

import json
import os
from pathlib import Path

WHITE_CLOTH = ("fit map", (1.0, 1.0, 1.0), 0.9)  # vertex colours show unchanged on it


def fitmap_glb(drape: str | os.PathLike, scale: str = "ease") -> bytes:
    """The drape folder's draped.glb (Y-up metres) with its outer garment in fit-map colours
    (``scale``: ease or strain), the body in skin and lower layers in their fabrics."""
    from addon.scene.fitmap_scale import SCALES
    from neural.drape.layers import UNDER
    from neural.materials import SKIN, Surface, fabric_surface
    from neural.mesh_io import glb_bytes, read_glb

    drape = Path(drape)
    fit = json.loads((drape / "fit.json").read_text())
    chosen = SCALES[scale]
    surfaces = {"body": SKIN, "garment": Surface(*WHITE_CLOTH)}
    surfaces |= {f"{UNDER}{index}": fabric_surface({"name": layer["fabric"]}, layer.get("color"))
                 for index, layer in enumerate(fit.get("layers_under", []))}
    colors = {"garment": chosen.colors(fit["fit_map"][chosen.key])}
    return glb_bytes(read_glb(drape / "draped.glb"), surfaces, colors)
