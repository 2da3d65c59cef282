"""`tryon fit FRONT --side SIDE`: one body fitted to a synthetic person's front and side photos."""
import json

import pytest


@pytest.fixture(scope="module")
def person_photos(tmp_path_factory):
    """Front and side photos of a synthetic person (rendered, so ground truth is known)."""
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


def test_front_and_side_fit_one_body(person_photos, tmp_path):
    from render_farm.stages import fit_stage

    person, paths = person_photos
    height = person.measurements["stature"]
    avatar = fit_stage(paths["front"], height, tmp_path / "avatar", "cpu",
                       side_photo=paths["side"])
    views = avatar["diagnostics"]["views"]
    assert set(views) == {"front", "side"}
    assert min(v["silhouette_iou"] for v in views.values()) >= 0.85
    assert [p["view"] for p in avatar["source_photos"]] == ["front", "side"]
    measured = avatar["measurements"]
    assert abs(measured["stature"] - height) <= 1.0
    for name in ("chest_girth", "waist_girth", "hip_girth"):
        assert abs(measured[name] - person.measurements[name]) <= 6.0, name
    assert json.loads((tmp_path / "avatar" / "avatar.json").read_text()) == avatar
