"""Build artefacts that are made from code: the scene templates as .blend files and the
installable Blender extension.

Usage: python build.py [--out dist] | --catalog
Writes ``<out>/templates/<name>.blend`` for every template in ``blend_templates`` (Blender
frame: Z-up, metres; a 1.75 m placeholder subject height sets camera framing and lights) and
``<out>/<id>-<version>.zip``, the extension (``addon/`` with its ``blender_manifest.toml``,
checked first, the templates, the engine-process runner it shares with the engine and its
menus' catalog made from the engine's data). The zip holds the add-on's own code only: fitting
and draping run in the project's environment (the engine), so no torch or other heavy wheel
goes into it. ``--catalog`` rewrites addon/catalog.py (the same catalog, for running the
add-on from a checkout; the tests fail while it differs from the engine's data).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
import zipfile
from pathlib import Path

PLACEHOLDER_HEIGHT_M = 1.75
ROOT = Path(__file__).resolve().parent
ADDON = ROOT / "addon"
TEMPLATES = ROOT / "blend_templates"
# engine modules the add-on runs inside Blender, packed beside its own code (zip name: source)
VENDORED = {"engine_process.py": ROOT / "render_farm" / "engine_process.py"}
CATALOG = "catalog.py"  # the add-on's module made by ``catalog_source``
MANIFEST_KEYS = ("schema_version", "id", "version", "name", "tagline", "maintainer", "type",
                 "blender_version_min", "license")


def write_templates(out_dir: str | os.PathLike) -> list[Path]:
    """Save each scene template (lights, backdrop, one camera per view) as a .blend file."""
    import bpy

    from blend_templates import TEMPLATES, VIEWS

    folder = Path(out_dir) / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TEMPLATES.items():
        bpy.ops.wm.read_factory_settings(use_empty=True)
        build(bpy, bpy.context.scene, PLACEHOLDER_HEIGHT_M, list(VIEWS))
        target = folder / f"{name}.blend"
        temporary = folder / f".{name}.partial.blend"
        bpy.ops.wm.save_as_mainfile(filepath=str(temporary), compress=True)
        os.replace(temporary, target)
        written.append(target)
    return written


def catalog_source() -> str:
    """The text of the add-on's ``catalog`` module: what its menus list, from the engine's
    own data (garment kinds and size charts, fabrics and their colours, scene templates and
    views), so that the add-on needs no engine to draw. Garments are listed tops first, then
    bottoms, then whole-body garments (by the girths their charts size by), each group in the
    engine's order."""
    from blend_templates import TEMPLATES, VIEWS
    from neural.garments.fabrics import fabric_table
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.materials import SKIN
    from neural.garments.size_charts import fit_rules, load_chart

    def group(kind: str) -> int:
        girths = set(fit_rules(SIZE_CHARTS[kind]))
        return 0 if "waist" not in girths else 1 if "chest" not in girths else 2

    garments = sorted(SIZE_CHARTS, key=group)  # a stable sort keeps the engine's order
    sizes = {tuple(load_chart(chart)) for chart in SIZE_CHARTS.values()}
    if len(sizes) != 1:
        raise ValueError("the add-on has one size menu, but the garments' charts differ")
    fabrics = fabric_table()
    colours = "".join(f"    {name!r}: {tuple(f['color'])!r},\n" for name, f in fabrics.items())
    surfaces = "".join(f"    {name!r}: {tuple(f['surface'].values())!r},\n"
                       for name, f in fabrics.items())
    return (f'"""What the engine offers, as the add-on\'s menus list it. Made by build.py from '
            f'the engine\'s\ndata (python build.py --catalog); do not edit."""\n'
            f"GARMENTS = {tuple(garments)!r}\n"
            f"SIZES = {sizes.pop()!r}\n"
            f"FABRICS = {tuple(fabrics)!r}\n"
            f"FABRIC_COLORS = {{  # linear RGB, each fabric's colour in renders\n{colours}}}\n"
            f"FABRIC_SURFACES = {{  # {', '.join(next(iter(fabrics.values()))['surface'])}\n"
            f"{surfaces}}}\n"
            f"SKIN = {(SKIN.color, SKIN.roughness)!r}  # linear RGB, roughness\n"
            f"TEMPLATES = {tuple(TEMPLATES)!r}\n"
            f"VIEWS = {tuple(VIEWS)!r}\n")


def check_manifest(path: str | os.PathLike) -> dict:
    """The extension manifest, read and checked against Blender's rules for extensions; a
    broken one raises ValueError naming what is wrong."""
    try:
        manifest = tomllib.loads(Path(path).read_text())
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML ({error})") from error
    missing = [key for key in MANIFEST_KEYS if key not in manifest]
    if missing:
        raise ValueError(f"{path}: missing {', '.join(missing)}")
    semver = r"\d+\.\d+\.\d+"
    problems = [
        (re.fullmatch(r"[a-z][a-z0-9_]*", manifest["id"]), "id must be a lower-case identifier"),
        (re.fullmatch(semver, manifest["version"]), "version must be X.Y.Z"),
        (manifest["type"] == "add-on", "type must be add-on"),
        (len(manifest["tagline"]) <= 64 and not manifest["tagline"].endswith((".", "!", "?")),
         "tagline must be at most 64 characters, without closing punctuation"),
        (re.fullmatch(semver, manifest["blender_version_min"]) and tuple(
            map(int, manifest["blender_version_min"].split("."))) >= (4, 2, 0),
         "blender_version_min must be 4.2.0 or later"),
        (manifest["license"] and all(x.startswith("SPDX:") for x in manifest["license"]),
         "license must list SPDX identifiers (SPDX:...)"),
    ]
    wrong = [message for ok, message in problems if not ok]
    if wrong:
        raise ValueError(f"{path}: {'; '.join(wrong)}")
    return manifest


def build_extension(out_dir: str | os.PathLike, addon_dir: str | os.PathLike = ADDON) -> Path:
    """Check the manifest and zip the add-on into ``<out_dir>/<id>-<version>.zip`` (written to
    a temporary name first), the manifest at the zip's root, the scene templates inside as
    the subpackage ``blend_templates`` (the add-on's Look renders use them) and the engine's
    ``VENDORED`` modules beside the add-on's own (its engine-process runner); its ``catalog``
    module is made from the engine's data (``catalog_source``), whatever the checkout holds."""
    addon_dir = Path(addon_dir)
    manifest = check_manifest(addon_dir / "blender_manifest.toml")
    target = Path(out_dir) / f"{manifest['id']}-{manifest['version']}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder, prefix in ((addon_dir, ""), (TEMPLATES, "blend_templates/")):
            for path in sorted(folder.rglob("*")):
                inside = path.relative_to(folder)
                if (path.is_file() and "__pycache__" not in inside.parts
                        and prefix + inside.as_posix() != CATALOG):
                    archive.write(path, prefix + inside.as_posix())
        for name, source in VENDORED.items():
            archive.write(source, name)
        archive.writestr(CATALOG, catalog_source())
    os.replace(partial, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="dist")
    parser.add_argument("--catalog", action="store_true",
                        help=f"only rewrite addon/{CATALOG} from the engine's data")
    args = parser.parse_args(argv)
    if args.catalog:
        (ADDON / CATALOG).write_text(catalog_source())
        print(f"wrote {ADDON / CATALOG}")
        return 0
    try:
        extension = build_extension(args.out)
    except ValueError as error:
        print(f"build.py: error: {error}", file=sys.stderr)
        return 2
    for path in [*write_templates(args.out), extension]:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
