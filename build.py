"""Build artefacts that are made from code: the scene templates as .blend files.

Usage: python build.py [--out dist]
Writes ``<out>/templates/<name>.blend`` for every template in ``blend_templates`` (Blender
frame: Z-up, metres; a 1.75 m placeholder subject height sets camera framing and lights).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PLACEHOLDER_HEIGHT_M = 1.75


def write_templates(out_dir: str | os.PathLike) -> list[Path]:
    """Save each scene template (lights, backdrop, one camera per view) as a .blend file."""
    import bpy

    from blend_templates import TEMPLATES, VIEWS

    folder = Path(out_dir) / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TEMPLATES.items():
        bpy.ops.wm.read_factory_settings(use_empty=True)
        build(bpy, PLACEHOLDER_HEIGHT_M, list(VIEWS))
        target = folder / f"{name}.blend"
        temporary = folder / f".{name}.partial.blend"
        bpy.ops.wm.save_as_mainfile(filepath=str(temporary), compress=True)
        os.replace(temporary, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="dist")
    args = parser.parse_args(argv)
    for path in write_templates(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
