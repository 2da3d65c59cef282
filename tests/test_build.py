"""build.py writes the scene templates as .blend files that Blender opens with every camera."""
import build


def test_templates_written_as_blend_files(tmp_path):
    import bpy

    from blend_templates import TEMPLATES, VIEWS

    written = build.write_templates(tmp_path)
    assert sorted(p.stem for p in written) == sorted(TEMPLATES)
    for path in written:
        bpy.ops.wm.open_mainfile(filepath=str(path))
        objects = bpy.data.objects
        assert {f"camera_{view}" for view in VIEWS} <= set(objects.keys())
        assert {"key", "fill", "rim"} <= {o.name for o in objects if o.type == "LIGHT"}
    assert not list(tmp_path.glob("templates/.*")), "no partial files left behind"
