"""Shared fixtures: the real pipeline run once on the bundled example photo (small settings),
the Blender extension enabled in the bpy module, and a PostgreSQL server of the tests' own.

Heavy groups carry markers (``-m "not farm"`` and so on): ``farm`` (Redis and Celery
workers), ``blender`` (bpy and Cycles), ``browser`` (Chromium), ``postgres`` (a PostgreSQL
server); each module sets its own with ``pytestmark``, and the tests on PostgreSQL are marked
here."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PHOTO = EXAMPLES / "pifu_ryota.png"
HEIGHT_CM = 175.0
PHOTO_SIZE = (540, 720)  # synthetic photos, W x H pixels


@pytest.fixture(scope="session")
def avatar_dir(tmp_path_factory) -> Path:
    from neural.stages import fit_stage

    out = tmp_path_factory.mktemp("avatar")
    fit_stage(PHOTO, HEIGHT_CM, out, "cpu")
    return out


@pytest.fixture(scope="session")
def garment_dir(tmp_path_factory, avatar_dir) -> Path:
    """The t-shirt in the size whose body chest is nearest the avatar's chest girth."""
    import json

    from neural.garments.tshirt import size_chart
    from neural.stages import garment_stage

    chest = json.loads((avatar_dir / "avatar.json").read_text())["measurements"]["chest_girth"]
    chart = size_chart()
    size = min(chart, key=lambda name: abs(chart[name]["body_chest"] - chest))
    out = tmp_path_factory.mktemp("garment")
    garment_stage("tshirt", size, "cotton", out)
    return out


@pytest.fixture(scope="session")
def drape_dir(tmp_path_factory, avatar_dir, garment_dir) -> Path:
    from neural.stages import drape_stage

    out = tmp_path_factory.mktemp("drape")
    drape_stage(avatar_dir, garment_dir, out, "cpu")
    return out


@pytest.fixture(scope="session")
def render_person():
    """seed -> (SyntheticPerson, {view: (H, W, 4) float RGBA}) from the raster renderer."""
    from neural.synthetic.render_raster import RasterRenderer
    from neural.synthetic.scene import make_person

    renderer = RasterRenderer(PHOTO_SIZE)

    def render(seed: int):
        person = make_person(seed)
        return person, {view: renderer.render(person.vertices, person.faces, person.colours,
                                              camera, person.look)
                        for view, camera in person.cameras.items()}

    yield render
    renderer.close()


def save_photo(path: Path, rgb) -> Path:
    import cv2

    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture(scope="session")
def person_photos(tmp_path_factory, render_person):
    """Front and side photos of a synthetic person from the held-out seed range (rendered, so
    its ground truth is known)."""
    from neural.synthetic.appearance import background_image, composite

    folder = tmp_path_factory.mktemp("synthetic_person")
    person, images = render_person(2_000_001)
    paths = {view: save_photo(folder / f"{view}.png",
                              composite(rgba, background_image("plain", 3, PHOTO_SIZE)))
             for view, rgba in images.items()}
    return person, paths


def write_average_avatar(folder: Path, gender: float) -> dict:
    """Anny's average man (gender 0) or woman (1) written as an avatar into ``folder``;
    returns avatar.json."""
    from neural.body.anny_body import BodyParameters
    from neural.fitting.avatar_file import write_body_avatar

    body = BodyParameters(phenotypes=BodyParameters().phenotypes | {"gender": gender})
    return write_body_avatar(folder, body, f"Anny's average {'woman' if gender else 'man'}")


def write_crossed_skirt(path: Path) -> Path:
    """The MIT four-panel skirt (tests/data) with its side panels laid out on the wrong sides:
    each side seam must cross the body to close, so no drape of it can be clean (a pattern
    exported with a bad layout)."""
    import json

    spec = json.loads((Path(__file__).parent / "data" / "corpus" / "garment_pattern_generator"
                             / "skirt_4_panels.json").read_text())
    panels = spec["pattern"]["panels"]
    for key in ("translation", "rotation"):
        panels["left"][key], panels["right"][key] = panels["right"][key], panels["left"][key]
    path.write_text(json.dumps(spec))
    return path


@pytest.fixture(scope="session")
def failed_drape(tmp_path_factory) -> Path:
    """A drape that failed its simulation gates, kept (``keep_failed``): the crossed skirt on
    Anny's average woman. Its folder also holds ``avatar`` and ``garment``."""
    from neural.stages import drape_stage, pattern_garment_stage

    folder = tmp_path_factory.mktemp("failed")
    write_average_avatar(folder / "avatar", gender=1.0)
    pattern_garment_stage(write_crossed_skirt(folder / "crossed_skirt.json"), "cotton",
                          folder / "garment")
    drape_stage(folder / "avatar", folder / "garment", folder / "drape", "cpu",
                keep_failed=True)
    return folder


def drape_on_average_body(folder: Path, kind: str, gender: float, fabric: str = "cotton",
                          size: str | None = None) -> dict:
    """Drape a built-in garment on Anny's average man (gender 0) or woman (1) in the size (and
    length) its chart gives for that body (or ``size``); assert every quality gate passes;
    return fit.json."""
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import fitted_size
    from neural.stages import drape_stage, garment_stage

    avatar = write_average_avatar(folder / "avatar", gender)
    size = size or fitted_size(SIZE_CHARTS[kind], avatar["measurements"])
    garment_stage(kind, size, fabric, folder / "garment")
    fit = drape_stage(folder / "avatar", folder / "garment", folder / "drape", "cpu")
    assert_gates_pass(fit)
    return fit


def drape_over(folder: Path, lower: Path, kind: str, size: str, fabric: str) -> dict:
    """Drape a built-in garment over the finished drape ``lower`` on the avatar in
    ``folder/avatar`` (into ``folder/<kind>_drape``); assert every gate passes; return fit.json."""
    from neural.stages import drape_stage, garment_stage

    garment_stage(kind, size, fabric, folder / kind)
    fit = drape_stage(folder / "avatar", folder / kind, folder / f"{kind}_drape", "cpu",
                      over=lower)
    assert_gates_pass(fit)
    return fit


def assert_gates_pass(fit: dict) -> None:
    failed = {name: gate["value"] for name, gate in fit["gates"].items() if not gate["pass"]}
    assert not failed, f"{fit['garment']} {fit['size']} in {fit['fabric']}: gates failed: {failed}"


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server of the tests' own: ``postgres.new_database()`` gives a URL."""
    from tests.postgres_harness import LocalPostgres

    server = LocalPostgres()
    yield server
    server.close()


@pytest.fixture
def enabled_addon():
    """The extension enabled from the repository (package ``addon``) on an empty scene,
    disabled afterwards; nothing written to the user's own Blender preferences."""
    import bpy  # first: it puts Blender's own modules (addon_utils) on the path
    import addon_utils

    bpy.context.preferences.use_preferences_save = False
    bpy.ops.wm.read_homefile(use_empty=True)  # a fresh scene, no earlier test's settings
    errors = []
    addon_utils.enable("addon", default_set=True, handle_error=errors.append)
    assert not errors, errors
    yield bpy
    addon_utils.disable("addon", default_set=True)


@pytest.fixture
def engine_scene(enabled_addon, tmp_path):
    """The enabled extension with the engine set to this Python and the scene's work folder in
    ``tmp_path``: (bpy, the scene's Try-On settings)."""
    bpy = enabled_addon
    bpy.context.preferences.addons["addon"].preferences.engine_python = sys.executable
    bpy.context.scene.tryon.work_folder = str(tmp_path)
    return bpy, bpy.context.scene.tryon


def pytest_collection_modifyitems(items) -> None:
    """Mark every test that runs on the PostgreSQL server: it takes the ``postgres`` fixture,
    or is the ``postgresql`` case of a test run on both databases."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if "postgres" in getattr(item, "fixturenames", ()) or (
                callspec is not None and "postgresql" in callspec.id):
            item.add_marker(pytest.mark.postgres)
