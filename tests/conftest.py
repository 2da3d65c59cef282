"""Shared fixtures: the real pipeline run once on the bundled example photo (small settings)."""
from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PHOTO = EXAMPLES / "pifu_ryota.png"
HEIGHT_CM = 175.0


@pytest.fixture(scope="session")
def avatar_dir(tmp_path_factory) -> Path:
    from render_farm.stages import fit_stage

    out = tmp_path_factory.mktemp("avatar")
    fit_stage(PHOTO, HEIGHT_CM, out, "cpu")
    return out


@pytest.fixture(scope="session")
def garment_dir(tmp_path_factory) -> Path:
    from render_farm.stages import garment_stage

    out = tmp_path_factory.mktemp("garment")
    garment_stage("tshirt", "M", "cotton", out)
    return out


@pytest.fixture(scope="session")
def drape_dir(tmp_path_factory, avatar_dir, garment_dir) -> Path:
    from render_farm.stages import drape_stage

    out = tmp_path_factory.mktemp("drape")
    drape_stage(avatar_dir, garment_dir, out, "cpu")
    return out


@pytest.fixture(scope="session")
def person_photos(tmp_path_factory):
    """Front and side photos of a synthetic person from the held-out seed range (rendered, so
    its ground truth is known)."""
    import cv2

    from neural.synthetic.appearance import background_image, composite
    from neural.synthetic.render_raster import RasterRenderer
    from neural.synthetic.scene import make_person

    folder = tmp_path_factory.mktemp("synthetic_person")
    person = make_person(2_000_001)
    renderer = RasterRenderer((540, 720))
    paths = {}
    for view, camera in person.cameras.items():
        rgba = renderer.render(person.vertices, person.faces, person.colours, camera, person.look)
        photo = composite(rgba, background_image("plain", 3, (540, 720)))
        paths[view] = folder / f"{view}.png"
        cv2.imwrite(str(paths[view]), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    renderer.close()
    return person, paths
