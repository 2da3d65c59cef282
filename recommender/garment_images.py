"""Catalog images of a garment: its sewing pattern as a flat sheet (every panel in the garment's
colour, outlined and named), drawn from the pattern the drape uses, size M (and the middle
length, where the chart sells lengths)."""
from __future__ import annotations

import io
from functools import lru_cache

import numpy as np

from neural.garments.garment_file import GARMENTS, SIZE_CHARTS
from neural.garments.size_charts import length_rule, with_length
from recommender.catalog import Item

SHEET_SIZE = (512, 384)  # px
MARGIN_PX, GAP_CM = 16, 6.0
SIZE = "M"


@lru_cache(maxsize=64)
def pattern_sheet(item: Item) -> bytes:
    """PNG of the item's pattern pieces side by side, to scale with one another."""
    from PIL import Image, ImageDraw, ImageFont

    lengths = length_rule(SIZE_CHARTS[item.kind])
    size = with_length(SIZE, list(lengths.options)[len(lengths.options) // 2]) if lengths else SIZE
    outlines, left = [], 0.0
    for panel in GARMENTS[item.kind](size).panels:
        points = panel.outline()
        points = points - [points[:, 0].min() - left, points[:, 1].min()]
        outlines.append((panel.name, points))
        left = points[:, 0].max() + GAP_CM
    width_cm = left - GAP_CM
    height_cm = max(points[:, 1].max() for _, points in outlines)
    scale = min((SHEET_SIZE[0] - 2 * MARGIN_PX) / width_cm,
                (SHEET_SIZE[1] - 2 * MARGIN_PX) / height_cm)
    offset = (np.array(SHEET_SIZE) - 2 * MARGIN_PX - scale * np.array([width_cm, height_cm])) / 2
    fill = tuple(int(round(255 * c ** (1 / 2.2))) for c in item.color)  # linear -> sRGB
    sheet = Image.new("RGB", SHEET_SIZE, "white")
    draw, font = ImageDraw.Draw(sheet), ImageFont.load_default(size=11)
    for name, points in outlines:
        pixels = np.c_[MARGIN_PX + offset[0] + points[:, 0] * scale,
                       SHEET_SIZE[1] - MARGIN_PX - offset[1] - points[:, 1] * scale]
        draw.polygon([tuple(p) for p in pixels], fill=fill, outline=(40, 40, 40))
        centre = pixels.mean(axis=0)
        draw.text(tuple(centre), name, fill=(0, 0, 0), font=font, anchor="mm")
    buffer = io.BytesIO()
    sheet.save(buffer, "PNG")
    return buffer.getvalue()
