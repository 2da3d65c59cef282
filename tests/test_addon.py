"""The Blender extension through the bpy module (no UI): it registers and unregisters cleanly,
its engine check runs the real engine, and build.py's zip installs into a fresh Blender user
folder and enables."""
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import build

pytestmark = pytest.mark.blender

CLASSES = ("TRYON_OT_check_engine", "TRYON_OT_fit_avatar", "TRYON_OT_drape_garment",
           "TRYON_OT_advise_size", "TRYON_OT_show_fitmap", "TRYON_OT_apply_fabric",
           "TRYON_OT_render_look", "TRYON_OT_render_turntable", "TRYON_OT_run_lookbook",
           "TRYON_OT_cancel_task", "TRYON_PT_engine", "TRYON_PT_avatar", "TRYON_PT_garments",
           "TRYON_PT_look", "TRYON_PT_farm")  # on bpy.types
EXAMPLE_PHOTO = Path(__file__).resolve().parents[1] / "examples" / "pifu_ryota.png"


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


def test_fit_avatar_returns_at_once_and_brings_the_body_back(engine_scene, tmp_path,
                                                             monkeypatch):
    """As in Blender's UI: the operator returns while the engine fits, a timer (here this
    test's loop, Blender's event loop) shows its progress, and the body comes back."""
    from addon import jobs

    bpy, settings = engine_scene
    session = bpy.context.window_manager.tryon
    with pytest.raises(RuntimeError, match="choose a front photo"):
        bpy.ops.tryon.fit_avatar()
    settings.front_photo, settings.height_cm = str(EXAMPLE_PHOTO), 175.0
    monkeypatch.setattr(jobs, "wait_in_background", False)
    assert bpy.ops.tryon.fit_avatar() == {"FINISHED"}
    assert session.busy  # returned with the fit still running
    assert bpy.ops.tryon.cancel_task.poll()
    shown = []
    while jobs.poll() is not None:
        shown.append((session.stage, round(session.progress, 1)))
        time.sleep(jobs.POLL_S)
    assert not session.busy
    fitting = [progress for stage, progress in shown if stage == "fitting"]
    assert len(set(fitting)) > 5 and fitting == sorted(fitting)  # a bar that fills
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


def test_the_menus_list_what_the_engine_offers(tmp_path):
    import zipfile

    import build
    from addon.catalog import FABRIC_COLORS, FABRICS, GARMENTS
    from addon.scene.materials import FABRIC_LOOKS
    from neural.garments.fabrics import fabric_table
    from neural.garments.garment_file import SIZE_CHARTS

    made = build.catalog_source()
    assert (build.ADDON / build.CATALOG).read_text() == made, \
        "addon/catalog.py is stale: run python build.py --catalog"
    with zipfile.ZipFile(build.build_extension(tmp_path)) as archive:
        assert archive.read(build.CATALOG).decode() == made
    assert GARMENTS[:4] == ("tshirt", "shirt", "jacket", "hoodie") and GARMENTS[-1] == "dress"
    assert set(GARMENTS) == set(SIZE_CHARTS)
    assert set(FABRICS) == set(fabric_table()) == set(FABRIC_LOOKS)
    assert FABRIC_COLORS == {name: tuple(f["color"]) for name, f in fabric_table().items()}


def test_render_from_the_addon_is_the_picture_tryon_renders(engine_scene, tmp_path, avatar_dir,
                                                            drape_dir):
    """The Render operator on the avatar and garment the add-on brought in, against the render
    stage of ``tryon run`` on the same drape: same template, materials and framing."""
    from addon.results import import_avatar, import_garment

    bpy, settings = engine_scene
    with pytest.raises(RuntimeError, match="fit an avatar first"):
        bpy.ops.tryon.render_look()
    import_avatar(bpy.context.scene, avatar_dir, avatar_dir.name)
    import_garment(bpy.context.scene, drape_dir / "draped.glb", avatar_dir.name, "tshirt")
    wall = bpy.data.meshes.new("wall")  # the user's own objects stay out of the look
    wall.from_pydata([(-2, -1, 0), (2, -1, 0), (2, -1, 3), (-2, -1, 3)], [], [(0, 1, 2, 3)])
    bpy.context.scene.collection.objects.link(bpy.data.objects.new("wall", wall))
    settings.look_template, settings.look_views = "packshot", {"front", "left"}
    settings.render_samples, settings.render_width, settings.render_height = 4, 96, 144
    assert bpy.ops.tryon.render_look() == {"FINISHED"}
    ours = tmp_path / "renders" / avatar_dir.name
    assert sorted(p.name for p in ours.iterdir()) == ["front.png", "left.png"]
    assert "front.png" in bpy.data.images  # shown in the .blend
    assert bpy.context.scene.name != f"Look {avatar_dir.name}"  # the user's scene stays current
    engine = tmp_path / "engine"
    done = subprocess.run([sys.executable, "-m", "render_farm.cli", "render", str(drape_dir),
                           "--template", "packshot", "--views", "front,left", "--samples", "4",
                           "--resolution", "96x144", "--out", str(engine)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    for view in ("front", "left"):
        a, b = (np.asarray(Image.open(folder / f"{view}.png").convert("RGB"), dtype=float)
                for folder in (ours, engine))
        assert a.std() > 10  # a picture, not a blank
        assert np.abs(a - b).mean() < 2.0, view  # the same picture, up to sampling noise


def test_turntable_turns_the_light_and_camera_round_the_avatar(engine_scene, tmp_path,
                                                               avatar_dir):
    from addon.results import import_avatar

    bpy, settings = engine_scene
    import_avatar(bpy.context.scene, avatar_dir, avatar_dir.name)
    settings.turntable_frames, settings.render_samples = 4, 1
    settings.render_width, settings.render_height = 32, 48
    assert bpy.ops.tryon.render_turntable() == {"FINISHED"}
    frames = sorted((tmp_path / "renders" / f"{avatar_dir.name}_turntable").iterdir())
    assert [p.name for p in frames] == ["0001.png", "0002.png", "0003.png", "0004.png"]
    images = [np.asarray(Image.open(p).convert("L"), dtype=float) for p in frames]
    assert np.abs(images[0] - images[2]).mean() > 1.0  # front and back differ
    look = bpy.data.scenes[f"Turntable {avatar_dir.name}"]
    depsgraph = look.view_layers[0].depsgraph
    look.frame_set(3)  # half a turn: the camera behind the avatar (+Y), the front one at -Y
    depsgraph.update()
    assert look.camera.evaluated_get(depsgraph).matrix_world.translation.y > 1.0


def test_fabric_looks_are_node_groups_any_object_can_wear(enabled_addon):
    bpy = enabled_addon
    from addon.scene.materials import FABRIC_LOOKS, look_node

    mesh = bpy.data.meshes.new("plane")
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (1, 1, 0)], [], [(0, 1, 2)])
    plane = bpy.data.objects.new("plane", mesh)
    bpy.context.scene.collection.objects.link(plane)
    plane.select_set(True)
    settings = bpy.context.scene.tryon
    for fabric in FABRIC_LOOKS:
        settings.look_fabric = fabric  # its own colour comes with it
        assert bpy.ops.tryon.apply_fabric() == {"FINISHED"}
        node = look_node(plane.data.materials[0])
        assert node.node_tree.name == f"Try-On {fabric}"
        assert tuple(node.inputs["Color"].default_value)[:3] == pytest.approx(
            tuple(settings.look_color))
        kinds = {n.type for n in node.node_tree.nodes}
        assert {"BSDF_PRINCIPLED", "BUMP"} <= kinds  # weave normal detail
        bsdf = next(n for n in node.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
        assert bsdf.inputs["Sheen Weight"].default_value > 0
    settings.look_color = (0.1, 0.6, 0.2)
    assert bpy.ops.tryon.apply_fabric() == {"FINISHED"}
    assert tuple(look_node(plane.data.materials[0]).inputs["Color"].default_value)[:3] == (
        pytest.approx((0.1, 0.6, 0.2)))


def test_the_weave_shows_in_a_close_up(enabled_addon, tmp_path):
    """A 4 cm square of knit, UVs in metres as a pattern's, under a grazing light: its ribs
    show as relief, which a flat (Weave Depth 0) square lacks."""
    bpy = enabled_addon
    from addon.scene.look import wear
    from addon.scene.materials import fabric_material, look_node

    scene = bpy.context.scene
    mesh = bpy.data.meshes.new("swatch")
    mesh.from_pydata([(0, 0, 0), (0.04, 0, 0), (0.04, 0.04, 0), (0, 0.04, 0)], [], [(0, 1, 2, 3)])
    mesh.uv_layers.new().data.foreach_set("uv", [0, 0, 0.04, 0, 0.04, 0.04, 0, 0.04])
    swatch = bpy.data.objects.new("swatch", mesh)
    scene.collection.objects.link(swatch)
    wear(swatch, fabric_material("knit", (0.55, 0.45, 0.35)))
    sun = bpy.data.objects.new("sun", bpy.data.lights.new("sun", "SUN"))
    sun.data.energy, sun.rotation_euler = 3.0, (1.2, 0.0, 0.0)  # 69 degrees from overhead
    camera = bpy.data.objects.new("camera", bpy.data.cameras.new("camera"))
    camera.data.type, camera.data.ortho_scale, camera.location = "ORTHO", 0.04, (0.02, 0.02, 1)
    for obj in (sun, camera):
        scene.collection.objects.link(obj)
    scene.camera, scene.render.engine, scene.cycles.samples = camera, "CYCLES", 4
    scene.cycles.use_denoising = False
    scene.render.resolution_x = scene.render.resolution_y = 64
    across, along = {}, {}
    for depth in (1.0, 0.0):
        look_node(swatch.data.materials[0]).inputs["Weave Depth"].default_value = depth
        scene.render.filepath = str(tmp_path / f"depth_{depth}.png")
        bpy.ops.render.render(write_still=True)
        gray = np.asarray(Image.open(scene.render.filepath).convert("L"), dtype=float)
        across[depth] = gray.mean(axis=0).std()  # the ribs run along V: light and shade across
        along[depth] = gray.mean(axis=1).std()
    assert across[1.0] > 3 * across[0.0], across  # measured 5.5 against 0.9 (noise)
    assert along[1.0] < 2.0, along


def test_built_zip_installs_into_a_fresh_user_folder_and_enables(tmp_path):
    archive = build.build_extension(tmp_path / "dist")
    names = zipfile.ZipFile(archive).namelist()
    assert {"blender_manifest.toml", "__init__.py", "engine_process.py"} <= set(names)
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
              "print('STATUS', bpy.context.window_manager.tryon.engine_status)\n"
              "import importlib\n"
              "look = importlib.import_module(name + '.scene.look')\n"
              "print('TEMPLATES', *sorted(look.templates()), name + '.blend_templates' in "
              "sys.modules)\n"
              "print('RUNNER', name + '.engine_process' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script, str(archive)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "STATUS tryon 0.1.0 ready" in done.stdout, done.stdout[-2000:]
    assert "TEMPLATES neutral outdoor packshot studio True" in done.stdout  # the zip's own templates
    assert "RUNNER True" in done.stdout  # and its own engine-process runner
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


def test_the_body_comes_with_anny_armature_and_poses_as_anny_does(enabled_addon, avatar_dir,
                                                                   drape_dir):
    """The imported body is skinned to Anny's skeleton: at rest it is the fitted body, and a
    bone turned in Blender moves the body as the same turn moves Anny's; a draped garment
    follows."""
    import dataclasses

    from mathutils import Quaternion, Vector

    from addon.results import import_avatar, import_garment
    from neural.body.anny_body import posed_body
    from neural.fitting.avatar_file import read_avatar

    bpy = enabled_addon
    import_avatar(bpy.context.scene, avatar_dir, "fitted")
    garment = import_garment(bpy.context.scene, drape_dir / "draped.glb", "fitted", "tshirt")
    body, rig = bpy.data.objects["fitted body"], bpy.data.objects["fitted rig"]
    assert rig.type == "ARMATURE" and body.parent == rig
    assert body.modifiers["Armature"].object == rig
    assert len(rig.data.bones) == len(body.vertex_groups) > 100
    depsgraph = bpy.context.evaluated_depsgraph_get()

    def evaluated(obj=body) -> np.ndarray:
        depsgraph.update()
        return np.array([v.co for v in obj.evaluated_get(depsgraph).to_mesh().vertices])

    rest = np.array([v.co for v in body.data.vertices])
    garment_rest = np.array([v.co for v in garment.data.vertices])
    assert np.abs(evaluated() - rest).max() < 1e-5
    assert np.abs(evaluated(garment) - garment_rest).max() < 1e-5
    turn = [0.0, 0.0, 0.7]  # radians about the world's +Z: the left arm swings
    bone = rig.pose.bones["upperarm01.L"]
    axis = rig.data.bones["upperarm01.L"].matrix_local.to_3x3().transposed() @ Vector(turn)
    bone.rotation_mode = "QUATERNION"
    bone.rotation_quaternion = Quaternion(axis.normalized(), axis.length)
    moved = evaluated() - rest
    params = read_avatar(avatar_dir)[1]
    anny = (posed_body(dataclasses.replace(params, pose={"upperarm01.L": turn}))
            - posed_body(dataclasses.replace(params, pose={"upperarm01.L": [0.0, 0.0, 0.0]})))
    assert np.abs(moved).max() > 0.1  # the hand moves tens of cm
    assert np.abs(moved[rest[:, 2] < 0.5]).max() < 1e-4  # the legs stay
    # as Anny moves it, within 3 % of the swing (6 mm in 30 cm seen: Anny's own zero pose is
    # a little off its rest pose, so the two start from slightly different arms)
    assert np.abs(moved - anny).max() < 0.03 * np.abs(anny).max()
    sleeve = evaluated(garment) - garment_rest
    assert np.abs(sleeve).max() > 0.05  # the left sleeve goes with the arm
    assert np.abs(sleeve[garment_rest[:, 0] < -0.1]).max() < 1e-4  # the right one stays


def test_size_advice_and_lookbook_run_in_the_engine(engine_scene, tmp_path, avatar_dir):
    """Advise Size drapes sizes of the garment in the engine and shows its advice; Run Lookbook
    writes the set-up as a job file on the fitted avatar, which the engine runs to images."""
    import yaml

    bpy, settings = engine_scene
    settings.avatar_folder = str(avatar_dir)
    settings.garment_kind, settings.fabric = "tshirt", "jersey"
    assert not bpy.ops.tryon.cancel_task.poll()  # nothing to cancel
    assert bpy.ops.tryon.advise_size() == {"FINISHED"}
    advice = json.loads(settings.size_advice_json)
    assert advice["garment"] == "tshirt" and advice["size"] in advice["sizes"]
    settings.lookbook_sizes, settings.look_views = {"S", "L"}, {"front"}
    settings.render_samples, settings.render_width, settings.render_height = 2, 48, 64
    assert bpy.ops.tryon.run_lookbook() == {"FINISHED"}
    out = tmp_path / "lookbooks" / avatar_dir.name
    job = yaml.safe_load((out / "job.yaml").read_text())
    assert job["avatars"] == [{"avatar": str(avatar_dir)}]
    assert [g["sizes"] for g in job["garments"]] == [["S", "L"]]
    assert len(list(out.glob("renders/*/front.png"))) == 2
    assert not (out / "avatars").exists()  # the fitted avatar, not a second fit
    assert settings.lookbook_folder == str(out)
    assert bpy.context.window_manager.tryon.message == f"lookbook of 2 images in {out}"


class _CheckingLayout:
    """Stands in for Blender's UILayout (which only exists with a UI) while a panel draws:
    every property, operator and icon it names must be real; returns itself for sub-layouts."""

    def __init__(self, bpy):
        self.bpy, self.drawn = bpy, []
        self.icons = set(bpy.types.UILayout.bl_rna.functions["label"].parameters["icon"]
                         .enum_items.keys())

    def prop(self, data, name, **options):
        assert name in data.bl_rna.properties, f"no property {name} on {data}"
        self.drawn.append(name)

    def operator(self, idname, **options):
        category, name = idname.split(".")
        assert name in dir(getattr(self.bpy.ops, category)), f"no operator {idname}"
        self._icon(options)
        self.drawn.append(idname)
        return type("OperatorProperties", (), {})()

    def label(self, text="", **options):
        self._icon(options)
        self.drawn.append(text)

    def progress(self, **options):
        self.drawn.append("progress")

    def separator(self):
        pass

    def row(self, **options):
        return self

    column = box = row

    def _icon(self, options):
        assert options.get("icon", "NONE") in self.icons, f"no icon {options['icon']}"


def test_every_panel_draws_real_properties_operators_and_icons(enabled_addon, avatar_dir,
                                                                drape_dir):
    from addon.results import import_avatar, import_garment

    bpy = enabled_addon
    import_avatar(bpy.context.scene, avatar_dir, avatar_dir.name)
    garment = import_garment(bpy.context.scene, drape_dir / "draped.glb", avatar_dir.name, "tee")
    bpy.context.view_layer.objects.active = garment
    settings, session = bpy.context.scene.tryon, bpy.context.window_manager.tryon
    settings.size_advice_json = json.dumps({"garment": "tshirt", "size": "M", "reason": "M: " * 30})
    settings.lookbook_folder, session.engine_status, session.busy = "/somewhere", "ready", True
    names = ("engine", "avatar", "garments", "look", "farm")
    drawn = {}
    for name in names:
        layout = _CheckingLayout(bpy)
        getattr(bpy.types, f"TRYON_PT_{name}").draw(type("Panel", (), {"layout": layout})(),
                                                    bpy.context)
        drawn[name] = layout.drawn
    bar = _CheckingLayout(bpy)
    sys.modules["addon.ui.sidebar"].status_bar_progress(type("Bar", (), {"layout": bar})(),
                                                        bpy.context)
    assert "progress" in drawn["engine"] and "tryon.cancel_task" in drawn["engine"]
    assert "tshirt: size M" in drawn["garments"] and "tryon.show_fitmap" in drawn["garments"]
    assert {"tryon.render_look", "tryon.render_turntable", "tryon.apply_fabric"} <= set(
        drawn["look"])
    assert drawn["look"].count("default_value") == 3  # the garment's Color, Weave Scale, Depth
    assert "tryon.run_lookbook" in drawn["farm"] and bar.drawn == ["progress"]
    session.busy = False
