"""The Blender extension through the bpy module (no UI): it registers and unregisters cleanly,
its engine check runs the real engine, and build.py's zip installs into a fresh Blender user
folder and enables."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import build

CLASSES = ("TRYON_OT_check_engine", "TRYON_OT_fit_avatar", "TRYON_OT_drape_garment",
           "TRYON_OT_show_fitmap", "TRYON_PT_engine", "TRYON_PT_avatar",
           "TRYON_PT_garments")  # on bpy.types
EXAMPLE_PHOTO = Path(__file__).resolve().parents[1] / "examples" / "pifu_ryota.png"


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


def test_registers_and_unregisters_cleanly_twice():
    import bpy  # first: it puts Blender's own modules (addon_utils) on the path
    import addon_utils

    bpy.context.preferences.use_preferences_save = False
    for _ in range(2):
        errors = []
        addon_utils.enable("addon", default_set=True, handle_error=errors.append)
        assert not errors, errors
        assert all(hasattr(bpy.types, name) for name in CLASSES)
        assert "addon" in bpy.context.preferences.addons
        assert bpy.context.window_manager.tryon.engine_status == ""
        assert bpy.context.preferences.addons["addon"].preferences.engine_python == ""
        addon_utils.disable("addon", default_set=True, handle_error=errors.append)
        assert not errors, errors
        assert not any(hasattr(bpy.types, name) for name in CLASSES)
        assert not hasattr(bpy.types.WindowManager, "tryon")


def test_check_engine_runs_the_engine_or_says_what_is_wrong(enabled_addon, tmp_path):
    bpy = enabled_addon
    session = bpy.context.window_manager.tryon
    preferences = bpy.context.preferences.addons["addon"].preferences
    with pytest.raises(RuntimeError, match="set the engine's Python"):  # a Blender error report
        bpy.ops.tryon.check_engine()
    assert not session.engine_ok
    preferences.engine_python = str(tmp_path / "no-python")
    with pytest.raises(RuntimeError, match="cannot start the engine"):
        bpy.ops.tryon.check_engine()
    preferences.engine_python = sys.executable
    assert bpy.ops.tryon.check_engine() == {"FINISHED"}
    assert session.engine_ok and session.engine_status == "tryon 0.1.0 ready"
    assert not session.busy


def test_fit_avatar_brings_the_body_back_as_an_object(engine_scene, tmp_path):
    bpy, settings = engine_scene
    with pytest.raises(RuntimeError, match="choose a front photo"):
        bpy.ops.tryon.fit_avatar()
    settings.front_photo, settings.height_cm = str(EXAMPLE_PHOTO), 175.0
    assert bpy.ops.tryon.fit_avatar() == {"FINISHED"}
    body = bpy.data.collections["Avatar pifu_ryota"].objects["pifu_ryota body"]
    assert body.type == "MESH" and len(body.data.vertices) > 5000
    top = max((body.matrix_world @ v.co).z for v in body.data.vertices)
    assert abs(top - 1.75) < 0.03  # Z-up metres, as tall as asked
    assert abs(json.loads(settings.measurements_json)["stature"] - 175.0) < 1.0
    assert bpy.context.window_manager.tryon.message == "avatar pifu_ryota fitted"
    assert not [p for p in tmp_path.rglob("*") if p.suffix.lower() in (".png", ".jpg")]


def test_drape_makes_the_garment_and_brings_it_back_with_its_pattern_uvs(engine_scene, tmp_path,
                                                                        avatar_dir):
    bpy, settings = engine_scene
    with pytest.raises(RuntimeError, match="fit an avatar first"):
        bpy.ops.tryon.drape_garment()
    settings.avatar_folder = str(avatar_dir)
    settings.garment_source = "PATTERN"
    with pytest.raises(RuntimeError, match="choose a garment file"):
        bpy.ops.tryon.drape_garment()
    settings.garment_source, settings.garment_kind, settings.garment_size = "BUILT_IN", "tshirt", "M"
    assert bpy.ops.tryon.drape_garment() == {"FINISHED"}
    garment = bpy.data.collections[f"Avatar {avatar_dir.name}"].objects[
        f"{avatar_dir.name} tshirt M cotton"]
    assert garment.type == "MESH" and garment.data.uv_layers  # the flat pattern as UVs
    fit = json.loads((tmp_path / "drapes" / f"{avatar_dir.name}_tshirt_M_cotton" / "fit.json")
                     .read_text())
    assert len(garment.data.vertices) == len(fit["fit_map"]["strain"])
    assert not [o for o in bpy.data.objects if o.name.startswith("body")]  # body not imported twice
    assert bpy.context.window_manager.tryon.message == f"tshirt M cotton draped on {avatar_dir.name}"
    # the fit-map toggle: strain colours on the garment, then its own material back
    bpy.context.view_layer.objects.active = garment
    fabric = [m.name for m in garment.data.materials]
    assert bpy.ops.tryon.show_fitmap(show="strain") == {"FINISHED"}
    colors = garment.data.color_attributes["fitmap"]
    assert len(colors.data) == len(garment.data.vertices)
    assert len({tuple(round(x, 3) for x in c.color) for c in colors.data}) > 10  # a map, not a fill
    assert garment.data.materials[0].name.startswith("fitmap")
    assert bpy.ops.tryon.show_fitmap(show="ease") == {"FINISHED"}
    assert bpy.ops.tryon.show_fitmap(show="fabric") == {"FINISHED"}
    assert [m.name for m in garment.data.materials] == fabric


def test_the_menus_list_what_the_engine_offers():
    from addon.catalog import FABRICS, GARMENTS, SIZES
    from neural.garments.fabrics import fabric_table
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import load_chart

    assert set(GARMENTS) == set(SIZE_CHARTS)
    assert all(list(load_chart(SIZE_CHARTS[g])) == list(SIZES) for g in GARMENTS)
    assert set(FABRICS) == set(fabric_table())


def test_built_zip_installs_into_a_fresh_user_folder_and_enables(tmp_path):
    archive = build.build_extension(tmp_path / "dist")
    names = zipfile.ZipFile(archive).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    assert archive.stat().st_size < 100_000  # the add-on's own code, no wheels
    assert not list((tmp_path / "dist").glob(".*")), "no partial zip left behind"
    user = tmp_path / "user"
    env = {**os.environ, "BLENDER_USER_RESOURCES": str(user),
           "BLENDER_USER_CONFIG": str(user / "config"), "BLENDER_USER_SCRIPTS": str(user / "scripts")}
    script = ("import sys, bpy\n"
              "bpy.ops.extensions.package_install_files(filepath=sys.argv[1], repo='user_default',"
              " enable_on_install=True)\n"
              "name = 'bl_ext.user_default.tryon'\n"
              "bpy.context.preferences.addons[name].preferences.engine_python = sys.executable\n"
              "bpy.ops.tryon.check_engine()\n"
              "print('STATUS', bpy.context.window_manager.tryon.engine_status)\n")
    done = subprocess.run([sys.executable, "-c", script, str(archive)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "STATUS tryon 0.1.0 ready" in done.stdout, done.stdout[-2000:]
    assert (user / "extensions" / "user_default" / "tryon" / "blender_manifest.toml").is_file()


@pytest.mark.parametrize("key, line, message", [
    ("tagline", 'tagline = "Fits bodies, drapes garments and renders try-ons for everyone."',
     "tagline"),
    ("blender_version_min", 'blender_version_min = "4.1.0"', "4.2.0 or later"),
    ("id", 'id = "Try On"', "lower-case identifier"),
    ("license", 'license = ["Apache"]', "SPDX"),
    ("maintainer", "", "missing maintainer"),
])
def test_a_broken_manifest_is_refused_with_the_reason(tmp_path, key, line, message):
    lines = (build.ADDON / "blender_manifest.toml").read_text().splitlines()
    changed = [line if text.startswith(f"{key} =") else text for text in lines]
    (tmp_path / "blender_manifest.toml").write_text("\n".join(changed) + "\n")
    with pytest.raises(ValueError, match=message):
        build.build_extension(tmp_path / "dist", tmp_path)
    assert not (tmp_path / "dist").exists()
