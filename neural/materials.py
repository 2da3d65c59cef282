"""Surface materials of the files the engine writes: glTF 2.0 PBR (metallic-roughness) with
``KHR_materials_sheen`` for cloth, so that a draped.glb shows the garment's own colour in any
glTF viewer (three.js, <model-viewer>, Blender's importer) as the Cycles renders do.

Colours are linear RGB in 0-1 (glTF's ``baseColorFactor`` is linear).
"""
from __future__ import annotations

from dataclasses import dataclass

from neural.errors import InputError

Color = tuple[float, float, float]  # linear RGB, 0-1


@dataclass(frozen=True)
class Surface:
    """A PBR surface: base colour (linear RGB), roughness 0-1 and, for cloth, a sheen layer
    (weight 0-1, tinted by the base colour, with its own roughness)."""

    name: str
    color: Color
    roughness: float
    sheen: float = 0.0
    sheen_roughness: float = 0.5

    def gltf(self) -> dict:
        """The glTF material object."""
        material = {
            "name": self.name,
            "pbrMetallicRoughness": {"baseColorFactor": [*map(float, self.color), 1.0],
                                     "metallicFactor": 0.0, "roughnessFactor": self.roughness},
            "doubleSided": True,
        }
        if self.sheen > 0:
            material["extensions"] = {"KHR_materials_sheen": {
                "sheenColorFactor": [self.sheen * float(c) for c in self.color],
                "sheenRoughnessFactor": self.sheen_roughness}}
        return material


SKIN = Surface("skin", (0.80, 0.60, 0.50), 0.5)  # the body in every file and render


def fabric_surface(fabric: dict, color: Color | None = None) -> Surface:
    """The surface of a fabric (a garment file's ``fabric`` section: a
    ``neural.garments.fabrics`` preset and its name) in ``color`` (default: its own)."""
    from neural.garments.fabrics import fabric as preset

    fabric = preset(fabric["name"]) | fabric  # files made before surfaces: the preset's
    look = fabric["surface"]
    return Surface(fabric["name"], tuple(color or fabric["color"]), look["roughness"],
                   look["sheen"], look["sheen_roughness"])


def parse_color(text: str) -> Color:
    """A colour given by a user: ``#rrggbb`` (sRGB, as colour pickers show it) or ``r,g,b``
    (linear RGB, 0-1) -> linear RGB."""
    text = text.strip()
    try:
        if text.startswith("#") and len(text) == 7:
            srgb = [int(text[i:i + 2], 16) / 255.0 for i in (1, 3, 5)]
            return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                         for c in srgb)
        return check_color([float(part) for part in text.split(",")])
    except ValueError:
        pass
    raise InputError(f"colour {text!r}: give #rrggbb (sRGB) or r,g,b (linear RGB, 0-1)")


def check_color(color) -> Color:
    """``color`` as three floats in 0-1 (linear RGB), or InputError."""
    values = tuple(float(c) for c in color)
    if len(values) != 3 or not all(0.0 <= c <= 1.0 for c in values):
        raise InputError(f"colour {list(color)}: three values in 0-1 (linear RGB)")
    return values
