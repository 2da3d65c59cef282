"""The extension in Blender 5.x: the zip build.py makes installs into a fresh user folder of
bpy 5.0 (an environment of its own, ``.cache/blender5``, made by ``make test``: bpy 5 and what
it needs, nothing of the project), enables, checks the engine, fits the example photo and
drapes a t-shirt, talking to the same engine (this Python) as Blender 4.5 does."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import build
from tests.conftest import PHOTO

ROOT = Path(__file__).resolve().parents[1]
BLENDER5 = ROOT / ".cache" / "blender5" / "bin" / "python"
pytestmark = [pytest.mark.blender,
              pytest.mark.skipif(not BLENDER5.is_file(), reason="no Blender 5 environment: "
                                 "make test makes it (.cache/blender5)")]
SCRIPT = """
import json, sys, bpy
archive, engine, photo, work = sys.argv[1:5]
bpy.ops.extensions.package_install_files(filepath=archive, repo="user_default",
                                         enable_on_install=True)
name = "bl_ext.user_default.tryon"
bpy.context.preferences.addons[name].preferences.engine_python = engine
session, scene = bpy.context.window_manager.tryon, bpy.context.scene.tryon
report = {"version": bpy.app.version_string, "check": sorted(bpy.ops.tryon.check_engine()),
          "status": session.engine_status}
scene.work_folder, scene.front_photo, scene.height_cm = work, photo, 175.0
report |= {"fit": sorted(bpy.ops.tryon.fit_avatar()), "fit_message": session.message}
scene.garment_source, scene.garment_kind, scene.garment_size = "BUILT_IN", "tshirt", "M"
report |= {"drape": sorted(bpy.ops.tryon.drape_garment()), "drape_message": session.message,
           "objects": sorted(o.name for o in bpy.data.objects)}
print("REPORT", json.dumps(report))
"""


def test_the_zip_installs_and_fits_and_drapes_in_blender_5(tmp_path):
    archive = build.build_extension(tmp_path / "dist")
    user = tmp_path / "user"
    env = os.environ | {"BLENDER_USER_RESOURCES": str(user),
                        "BLENDER_USER_CONFIG": str(user / "config"),
                        "BLENDER_USER_SCRIPTS": str(user / "scripts")}
    done = subprocess.run([str(BLENDER5), "-c", SCRIPT, str(archive), sys.executable, str(PHOTO),
                           str(tmp_path / "work")], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("REPORT "))
    report = json.loads(line.removeprefix("REPORT "))
    assert report["version"].startswith("5.")
    assert report["check"] == ["FINISHED"] and report["status"] == "tryon 0.1.0 ready"
    assert report["fit"] == ["FINISHED"] and report["fit_message"].endswith("fitted")
    assert report["drape"] == ["FINISHED"] and "tshirt M cotton draped on" in report["drape_message"]
    stem = PHOTO.stem
    assert {f"{stem} body", f"{stem} tshirt M cotton"} <= set(report["objects"])
