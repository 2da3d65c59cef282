"""Every bad input: one clear line on stderr, exit code 2, nothing written."""
import json

import numpy as np
import pytest
from PIL import Image

from render_farm.cli import main
from tests.conftest import PHOTO


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
