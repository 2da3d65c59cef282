"""Every bad input: one clear line on stderr, exit code 2, nothing written."""
import json
import subprocess

import numpy as np
import pytest
from PIL import Image

from render_farm.cli import main
from tests.conftest import PHOTO
from tests.farm_harness import TRYON


def _run(capsys, *argv):
    code = main(list(argv))
    err = capsys.readouterr().err.strip().splitlines()
    return code, err


@pytest.fixture()
def crops(tmp_path):
    photo = Image.open(PHOTO).convert("RGB")
    photo.crop((0, 0, 512, 300)).save(tmp_path / "no_feet.png")
    Image.fromarray(np.full((256, 256, 3), 90, np.uint8)).save(tmp_path / "empty.png")
    (tmp_path / "notes.png").write_text("not an image")
    return tmp_path


@pytest.mark.parametrize("name, height, message", [
    ("missing.png", "175", "not found"),
    ("notes.png", "175", "not a readable image"),
    ("empty.png", "175", "no person"),
    ("no_feet.png", "175", "feet"),
])
def test_fit_refuses_bad_photos(capsys, crops, name, height, message):
    out = crops / "out"
    code, err = _run(capsys, "fit", str(crops / name), "--height", height, "--out", str(out))
    assert code == 2 and len(err) == 1 and message in err[0]
    assert not out.exists()


@pytest.mark.parametrize("height", ["99", "231"])
def test_fit_refuses_heights_out_of_range(capsys, tmp_path, height):
    code, err = _run(capsys, "fit", str(PHOTO), "--height", height, "--out", str(tmp_path / "o"))
    assert code == 2 and len(err) == 1 and "outside 100-230 cm" in err[0]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv, message", [
    (["garment", "cape", "--size", "M"], "unknown garment"),
    (["garment", "tshirt", "--size", "XXXL"], "unknown size"),
    (["garment", "jeans", "--size", "M-L40"], "unknown length 'L40' for jeans"),
    (["garment", "tshirt", "--fabric", "chainmail"], "unknown fabric"),
])
def test_garment_refuses_unknown_kinds_and_sizes(capsys, tmp_path, argv, message):
    code, err = _run(capsys, *argv, "--out", str(tmp_path / "g"))
    assert code == 2 and len(err) == 1 and message in err[0]
    assert not (tmp_path / "g").exists()


def test_drape_refuses_newer_avatar_schema(capsys, tmp_path, garment_dir):
    avatar = tmp_path / "avatar"
    avatar.mkdir()
    (avatar / "avatar.json").write_text(json.dumps({"schema": "tryon.avatar", "schema_version": 99}))
    code, err = _run(capsys, "drape", str(avatar), str(garment_dir), "--out", str(tmp_path / "d"))
    assert code == 2 and len(err) == 1 and "newer" in err[0]
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("garment, message", [("cape", "unknown garment"),
                                              ("tshirt --fabric chainmail", "unknown fabric")])
def test_size_refuses_unknown_garments_and_fabrics(capsys, tmp_path, avatar_dir, garment, message):
    code, err = _run(capsys, "size", str(avatar_dir), *garment.split(), "--out", str(tmp_path / "s"))
    assert code == 2 and len(err) == 1 and message in err[0]
    assert not (tmp_path / "s").exists()


def test_fitmap_render_needs_the_drapes_fit_map(capsys, tmp_path, drape_dir):
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "draped.glb").write_bytes((drape_dir / "draped.glb").read_bytes())
    code, err = _run(capsys, "render", str(lone), "--fitmap", "--out", str(tmp_path / "r"))
    assert code == 2 and len(err) == 1 and "fit map" in err[0]
    assert not (tmp_path / "r").exists()


def test_render_refuses_an_unknown_body_style(capsys, tmp_path, drape_dir):
    code, err = _run(capsys, "render", str(drape_dir), "--body", "ghost", "--out",
                     str(tmp_path / "r"))
    assert code == 2 and len(err) == 1 and "unknown body style 'ghost'" in err[0]
    assert not (tmp_path / "r").exists()


def test_a_bad_photo_gives_one_line_from_a_fresh_process(crops):
    """Nothing but the error reaches stderr, mediapipe's native start-up lines included."""
    for name in ("notes.png", "empty.png"):
        done = subprocess.run([TRYON, "fit", str(crops / name), "--height", "170", "--out",
                               str(crops / "out")], capture_output=True, text=True, timeout=300)
        assert done.returncode == 2 and done.stdout == ""
        assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("tryon: error: ")
    assert not (crops / "out").exists()


GOOD_JOB = {"avatars": [{"photo": str(PHOTO), "height_cm": 175}],
            "garments": [{"kind": "tshirt", "sizes": ["S", "L"]}],
            "render": {"views": ["front"], "samples": 2, "resolution": [64, 96]}}


def _without(path: tuple, document=GOOD_JOB):
    """``document`` with the key at ``path`` (keys and list indices) removed."""
    copy = json.loads(json.dumps(document))
    parent = copy
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    return copy


@pytest.mark.parametrize("content, field, message", [
    (_without(("avatars",)), "avatars", "Field required"),
    (_without(("garments",)), "the file", "a job needs garments or outfits"),
    (GOOD_JOB | {"outfits": [[{"kind": "tshirt"}]]}, "the file", "an outfit has 2 to 4"),
    (_without(("avatars", 0, "height_cm")), "avatars[0]", "needs height_cm"),
    (_without(("avatars", 0, "photo")), "avatars[0]", "needs photo and height_cm"),
    (GOOD_JOB | {"avatars": ["person.jpg"]}, "avatars[0]", "expected a mapping"),
    (GOOD_JOB | {"avatars": []}, "avatars", "at least 1 item"),
    (GOOD_JOB | {"garments": [{"kind": "cape"}]}, "garments[0]", "unknown garment"),
    (GOOD_JOB | {"garments": [{"sizes": ["XXXL"]}]}, "garments[0]", "unknown size"),
    (GOOD_JOB | {"garments": [{"fabric": "chainmail"}]}, "garments[0]", "unknown fabric"),
    (GOOD_JOB | {"render": {"samples": "many"}}, "render.samples", "valid integer"),
    (GOOD_JOB | {"render": {"views": ["top"]}}, "render.views[0]", "'front'"),
    (GOOD_JOB | {"render": {"resolution": [8, 8]}}, "render.resolution", "16-8192 px"),
    (GOOD_JOB | {"render": {"sample": 4}}, "render.sample", "unknown key"),
    ("just text", "the file", "expected a mapping"),
])
def test_a_malformed_job_file_names_the_field(capsys, tmp_path, content, field, message):
    import yaml

    job = tmp_path / "job.yaml"
    job.write_text(yaml.safe_dump(content))
    code, err = _run(capsys, "run", str(job), "--out", str(tmp_path / "out"))
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith(f"tryon: error: job file {job}: {field}: ") and message in err[0]
    assert not (tmp_path / "out").exists()
