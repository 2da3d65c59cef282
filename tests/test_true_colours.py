"""A catalog garment's colour is the one the shopper sees: in the garment and drape files (glTF
PBR materials with cloth sheen), in Blender, in the Cycles render and in <model-viewer>.

Colours are compared as CIE 1976 L*a*b* differences (dE) of the median garment pixel, under
neutral light: the "neutral" template in Cycles, and a uniform white environment in
<model-viewer>. Garment pixels are those that change when only the garment's colour does."""
from __future__ import annotations

import base64
import functools
import http.server
import io
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from recommender.api.widget import VIEWER
from recommender.catalog import catalog
from tests.conftest import assert_gates_pass, write_average_avatar

RED = next(item.color for item in catalog() if item.id == "tee-red")
GREEN = (0.05, 0.55, 0.05)  # the same garment in another colour, to find its pixels
SAME_COLOUR_DE = 10.0  # the folds' shade and the specular sheen stay inside this (measured
#                       6.4 in Cycles, 6.6 in <model-viewer>, on either side of the colour)
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def lab(linear_rgb) -> np.ndarray:
    """Linear sRGB (D65) -> CIE L*a*b*."""
    rgb = np.asarray(linear_rgb, dtype=float)
    to_xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                       [0.0193, 0.1192, 0.9505]])
    xyz = rgb @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e(a, b) -> float:
    return float(np.linalg.norm(lab(a) - lab(b)))


def garment_colour(image: np.ndarray, recoloured: np.ndarray) -> np.ndarray:
    """The median linear RGB of the pixels that differ between two 8-bit sRGB pictures of
    the same scene with the garment in two colours."""
    changed = np.abs(image.astype(int) - recoloured.astype(int)).sum(axis=-1) > 60
    assert changed.sum() > 500, "the garment is hardly in the picture"
    srgb = image[changed] / 255.0
    return np.median(np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4), 0)


@pytest.fixture(scope="module")
def red_tee(tmp_path_factory) -> Path:
    """The catalog's red tee draped on Anny's average woman: the folder of it all."""
    from neural.stages import drape_stage, garment_stage

    root = tmp_path_factory.mktemp("red_tee")
    write_average_avatar(root / "avatar", gender=1.0)
    # S, a size over her chart's XS: its underarm seams pull cloth into the body for a moment
    # while they close, which the drape must not take for failure
    garment_stage("tshirt", "S", "cotton", root / "garment", RED)
    assert_gates_pass(drape_stage(root / "avatar", root / "garment", root / "drape", "cpu"))
    return root


def test_the_colour_travels_through_the_files(red_tee):
    import json

    import trimesh

    from neural.mesh_io import glb_materials
    from neural.materials import SKIN

    garment = json.loads((red_tee / "garment" / "garment.json").read_text())
    assert garment["fabric"]["color"] == list(RED)
    fit = json.loads((red_tee / "drape" / "fit.json").read_text())
    assert fit["color"] == list(RED)
    for glb in (red_tee / "garment" / "garment.glb", red_tee / "drape" / "draped.glb"):
        cloth = glb_materials(glb)["garment"]
        assert cloth["pbrMetallicRoughness"]["baseColorFactor"] == [*RED, 1.0]
        assert cloth["pbrMetallicRoughness"]["roughnessFactor"] == 0.85  # cotton's
        sheen = cloth["extensions"]["KHR_materials_sheen"]
        assert sheen["sheenColorFactor"] == pytest.approx([0.25 * c for c in RED])
    skins = [glb_materials(red_tee / path)["body"] for path in ("avatar/avatar.glb",
                                                                 "drape/draped.glb")]
    assert all(skin["pbrMetallicRoughness"]["baseColorFactor"] == [*SKIN.color, 1.0]
               for skin in skins)
    # a glTF reader of another family sees the same colours
    scene = trimesh.load(red_tee / "drape" / "draped.glb", force="scene")
    factor = scene.geometry["garment"].visual.material.baseColorFactor
    assert np.allclose(np.asarray(factor[:3]) / 255, RED, atol=1 / 255)


@pytest.mark.blender
def test_blender_opens_the_drape_in_its_colours(red_tee):
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=str(red_tee / "drape" / "draped.glb"))
    shaders = {obj.name: next(n for n in obj.active_material.node_tree.nodes
                              if n.type == "BSDF_PRINCIPLED")
               for obj in bpy.context.scene.objects if obj.type == "MESH"}
    assert tuple(shaders["garment"].inputs["Base Color"].default_value)[:3] == pytest.approx(RED)
    assert shaders["garment"].inputs["Roughness"].default_value == pytest.approx(0.85)
    sheen = shaders["garment"].inputs["Sheen Weight"].default_value * np.asarray(
        shaders["garment"].inputs["Sheen Tint"].default_value[:3])
    assert sheen == pytest.approx([0.25 * c for c in RED], abs=1e-3)
    assert shaders["body"].inputs["Base Color"].default_value[0] == pytest.approx(0.8)


@pytest.mark.blender
@pytest.mark.browser
def test_the_render_and_the_web_model_show_the_catalog_colour(red_tee, tmp_path):
    from addon.catalog import FABRIC_COLORS
    from render_farm.render_scene import render_draped
    from render_farm.render_stage import render_stage

    drape = red_tee / "drape"
    render_stage(drape, tmp_path / "red", ["front"], 16, (160, 240), "neutral", "cpu")
    render_draped(drape / "draped.glb", tmp_path / "green", ["front"], 16, (160, 240), "neutral",
                  {"garment": ("cotton", GREEN)}, "cpu")
    rendered = garment_colour(*(np.asarray(Image.open(tmp_path / name / "front.png")
                                           .convert("RGB")) for name in ("red", "green")))
    shown = garment_colour(*_model_viewer_pictures(drape / "draped.glb", tmp_path / "site"))

    assert delta_e(rendered, RED) < SAME_COLOUR_DE, rendered
    assert delta_e(shown, RED) < SAME_COLOUR_DE, shown
    # what the shopper used to see, the fabric's own colour, is far outside that
    assert delta_e(FABRIC_COLORS["cotton"], RED) > 2.5 * SAME_COLOUR_DE


def _model_viewer_pictures(glb: Path, site: Path) -> tuple[np.ndarray, np.ndarray]:
    """<model-viewer>'s pictures of ``glb`` in a uniform white environment with its neutral
    tone mapping (which leaves colours below 0.8 as they are): as it is, then with the
    garment's base colour set to GREEN through the viewer's material API."""
    from playwright.sync_api import sync_playwright

    site.mkdir()
    shutil.copy(VIEWER / "model-viewer.min.js", site)
    shutil.copy(glb, site / "draped.glb")
    Image.new("RGB", (64, 32), (255, 255, 255)).save(site / "white.png")
    (site / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        '<script type="module" src="model-viewer.min.js"></script></head><body>'
        '<model-viewer src="draped.glb" environment-image="white.png" tone-mapping="neutral" '
        'shadow-intensity="0" camera-orbit="0deg 90deg auto" interaction-prompt="none" '
        'style="width:320px;height:480px"></model-viewer></body></html>')
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    viewer = "document.querySelector('model-viewer')"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
            page.wait_for_function(f"{viewer}.loaded && {viewer}.modelIsVisible",
                                   timeout=60_000)
            pictures = [_picture(page, viewer)]
            green = ", ".join(map(str, GREEN))
            page.evaluate(f"{viewer}.model.materials.find(m => m.name === 'cotton')"
                          f".pbrMetallicRoughness.setBaseColorFactor([{green}, 1])")
            page.wait_for_timeout(500)  # the next frame draws the change
            pictures.append(_picture(page, viewer))
            browser.close()
    finally:
        server.shutdown()
    return pictures[0], pictures[1]


def _picture(page, viewer: str) -> np.ndarray:
    url = page.evaluate(f"{viewer}.toDataURL('image/png')")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: D102 - the test's output stays clean
        pass
