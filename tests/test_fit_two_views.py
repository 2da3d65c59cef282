"""`tryon fit FRONT --side SIDE`: one body fitted to a synthetic person's front and side photos."""
import json


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
