"""A job's lookbook: a contact sheet (every render in a grid, each labelled avatar / garment /
size / view) and an index of the images, as JSON and as an HTML page linking them."""
from __future__ import annotations

import html
import json
import os
import textwrap
from pathlib import Path

CELL_WIDTH = 256  # px; each image is scaled to this width
LABEL_HEIGHT = 22  # px under each image
COLUMNS = 6


def write_contact_sheet(out_dir: str | os.PathLike, renders: list[dict],
                        folder: str | os.PathLike) -> dict:
    """From the finished renders under ``<out_dir>/renders`` (``renders``: their key, label
    and views), write contact_sheet.png, index.json and index.html into ``folder`` (all at once
    or not at all); return the index. A picture that is missing is a grey cell, ``missing`` in
    the index, with the ``reason`` when there is one (a drape that failed its simulation gates
    is not rendered: its render folder's not_rendered.json says why)."""
    from PIL import Image, ImageDraw, ImageFont

    from neural.files import staged_output_dir

    out_dir = Path(out_dir)
    entries = [{"label": f"{render['label']} / {view}", "view": view,
                "image": f"renders/{render['key']}/{view}.png"}
               for render in renders for view in render["views"]]
    images = []
    for entry in entries:
        path = out_dir / entry["image"]
        images.append(Image.open(path).convert("RGB") if path.is_file() else None)
        entry["missing"] = images[-1] is None
        if entry["missing"]:
            entry["reason"] = _not_rendered(path.parent)
    found = [im for im in images if im is not None]
    if not found and not any(entry.get("reason") for entry in entries):
        raise FileNotFoundError(f"no rendered image under {out_dir / 'renders'}")
    cell_height = max((round(CELL_WIDTH * im.height / im.width) for im in found),
                      default=CELL_WIDTH * 3 // 2)
    columns = min(COLUMNS, len(images))
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * CELL_WIDTH, rows * (cell_height + LABEL_HEIGHT)), "white")
    draw, font = ImageDraw.Draw(sheet), ImageFont.load_default(size=12)
    for index, (entry, image) in enumerate(zip(entries, images)):
        x = index % columns * CELL_WIDTH
        y = index // columns * (cell_height + LABEL_HEIGHT)
        if image is None:
            draw.rectangle((x, y, x + CELL_WIDTH - 1, y + cell_height - 1), fill="#bbbbbb")
            text = (f"not rendered:\n{textwrap.fill(entry['reason'], 38)}" if entry["reason"]
                    else "render failed")
            draw.multiline_text((x + 4, y + 4), text, fill="black", font=font)
        else:
            scaled = image.resize((CELL_WIDTH, round(CELL_WIDTH * image.height / image.width)))
            sheet.paste(scaled, (x, y))
        draw.text((x + 4, y + cell_height + 4), entry["label"], fill="black", font=font)
    document = {"schema": "tryon.lookbook", "schema_version": 1, "images": entries,
                "contact_sheet": "contact_sheet.png"}
    with staged_output_dir(folder) as stage:
        sheet.save(stage / "contact_sheet.png")
        (stage / "index.json").write_text(json.dumps(document, indent=1))
        (stage / "index.html").write_text(_page(entries, Path(folder), out_dir))
    return document


def _page(entries: list[dict], folder: Path, out_dir: Path) -> str:
    """index.html: the contact sheet, then every image with its label, linked relative to the
    sheet's folder."""
    up = os.path.relpath(out_dir, folder)
    items = "\n".join(
        f"<figure><figcaption>{html.escape(e['label'])}: "
        f"{html.escape('not rendered: ' + e['reason'] if e['reason'] else 'render failed')}"
        "</figcaption></figure>" if e["missing"] else
        f'<figure><a href="{html.escape(up)}/{html.escape(e["image"])}">'
        f'<img src="{html.escape(up)}/{html.escape(e["image"])}" width="{CELL_WIDTH}"></a>'
        f"<figcaption>{html.escape(e['label'])}</figcaption></figure>" for e in entries)
    return ("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Lookbook</title>"
            "<style>figure{display:inline-block;margin:4px}</style></head><body>\n"
            "<h1>Lookbook</h1>\n<p><a href=\"contact_sheet.png\">Contact sheet</a></p>\n"
            f"{items}\n</body></html>\n")


def _not_rendered(render_folder: Path) -> str | None:
    """The reason in a render folder's not_rendered.json, if it has one."""
    path = render_folder / "not_rendered.json"
    return json.loads(path.read_text())["reason"] if path.is_file() else None
