"""Fit-map colour scales and their legend (plain Python: no bpy).

Two maps of fit.json's per-vertex ``fit_map``: ``strain`` (%, blue relaxed to red at and past
the 10 % gate) and ``ease`` (mm from the body: red touching, blue hanging 50 mm or more off).
Colours are linear RGB in [0, 1] for Blender; the legend is drawn onto the rendered PNG.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

# A blue-cyan-green-yellow-red ramp (linear RGB), evenly spaced from low to high.
RAMP = np.array([[0.02, 0.05, 0.60], [0.00, 0.45, 0.80], [0.05, 0.65, 0.15],
                 [0.95, 0.80, 0.02], [0.85, 0.05, 0.02]])


@dataclass(frozen=True)
class Scale:
    """How one per-vertex quantity maps to colour: ``low``..``high`` in ``unit`` spans the
    ramp (reversed: high values blue); values are multiplied by ``factor`` from fit.json's."""

    key: str  # fit.json fit_map entry
    title: str
    unit: str
    factor: float
    low: float
    high: float
    ticks: tuple[float, ...]
    reversed: bool = False

    def colors(self, values: np.ndarray) -> np.ndarray:
        """(V, 3) linear RGB for fit.json's raw values (V,)."""
        t = np.clip((np.asarray(values) * self.factor - self.low) / (self.high - self.low), 0, 1)
        if self.reversed:
            t = 1.0 - t
        stops = np.linspace(0.0, 1.0, len(RAMP))
        return np.stack([np.interp(t, stops, RAMP[:, c]) for c in range(3)], -1)


SCALES = {
    "strain": Scale("strain", "strain", "%", 100.0, 0.0, 10.0, (0, 2, 4, 6, 8, 10)),
    "ease": Scale("ease_mm", "ease", "mm", 1.0, 0.0, 50.0, (0, 10, 20, 30, 40, 50),
                  reversed=True),
}


def draw_legend(png: str | os.PathLike, scale: Scale) -> None:
    """Widen the image by a white panel on its right holding ``scale``'s colour bar, ticks and
    unit (so the legend never covers the render), in place."""
    from PIL import Image, ImageDraw, ImageFont

    render = Image.open(png).convert("RGB")
    width, height = render.size
    font = ImageFont.load_default(size=max(9, height // 48))
    measure = ImageDraw.Draw(render)
    title = f"{scale.title} ({scale.unit})"
    labels = [f"{t:g}+" if t == scale.high else f"{t:g}" for t in scale.ticks]
    pad, line = font.size // 2, font.size + font.size // 3
    bar_w, bar_h = max(8, width // 40), int(height * 0.4)
    panel_w = int(max(measure.textlength(title, font=font),
                      bar_w + pad + max(measure.textlength(label, font=font) for label in labels)))
    image = Image.new("RGB", (width + panel_w + 4 * pad, height), (255, 255, 255))
    image.paste(render, (0, 0))
    draw = ImageDraw.Draw(image)
    left, top = width + 2 * pad, int(height * 0.06)
    draw.text((left, top), title, fill=(0, 0, 0), font=font)
    bar_top = top + line + pad // 2
    rows = np.linspace(scale.high, scale.low, bar_h)  # the bar's top is the scale's high end
    srgb = (_to_srgb(scale.colors(rows / scale.factor)) * 255).round().astype(np.uint8)
    image.paste(Image.fromarray(np.repeat(srgb[:, None, :], bar_w, axis=1)), (left, bar_top))
    for tick, label in zip(scale.ticks, labels):
        y = bar_top + round((scale.high - tick) / (scale.high - scale.low) * (bar_h - 1))
        draw.line((left + bar_w, y, left + bar_w + pad // 2, y), fill=(0, 0, 0))
        draw.text((left + bar_w + pad, y - font.size // 2), label, fill=(0, 0, 0), font=font)
    image.save(png)


def _to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear RGB -> sRGB (what Blender's view transform does to the ramp's colours, roughly)."""
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
