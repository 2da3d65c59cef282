"""A drape that fails its simulation gates is retried gently, marked failed with its reason,
and never shown as a try-on: not by `tryon drape`, `tryon render`, nor a job's contact sheet
(the storefront's side is in test_storefront_api)."""
import json

import numpy as np
from PIL import Image

from render_farm.cli import main


def _run(capsys, *argv):
    """Exit code, stdout lines and stderr lines but the progress bar's (erased on a terminal)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    err = [line for line in captured.err.splitlines()
           if line.strip() and not line.startswith("draping")]
    return code, captured.out.strip().splitlines(), err


def test_a_failed_drape_is_retried_then_marked_failed_with_its_reason(failed_drape):
    fit = json.loads((failed_drape / "drape" / "fit.json").read_text())
    simulation = fit["simulation"]
    assert not simulation["passed"]
    assert [attempt["name"] for attempt in simulation["attempts"]] == ["standard", "gentle"]
    assert simulation["attempts"][0]["stopped_early"]  # cloth deep in the body: given up early
    assert all(attempt["failed_gates"] for attempt in simulation["attempts"])
    assert "vertices inside the body" in simulation["reason"]
    assert not fit["gates"]["max_penetration_mm"]["pass"]
    assert (failed_drape / "drape" / "draped.glb").is_file()  # kept: asked to


def test_tryon_drape_stops_with_one_line_and_writes_nothing(capsys, failed_drape, tmp_path):
    out = tmp_path / "drape"
    code, _, err = _run(capsys, "drape", str(failed_drape / "avatar"),
                        str(failed_drape / "garment"), "--out", str(out))
    assert code == 2 and len(err) == 1, err
    assert "did not drape cleanly" in err[0] and "inside the body" in err[0]
    assert "--keep-failed" in err[0]
    assert not out.exists()


def test_tryon_render_refuses_a_failed_drape(capsys, failed_drape, tmp_path):
    out = tmp_path / "render"
    code, _, err = _run(capsys, "render", str(failed_drape / "drape"), "--out", str(out))
    assert code == 2 and len(err) == 1 and "not rendered" in err[0], err
    assert not out.exists()


def test_a_jobs_contact_sheet_says_why_a_drape_has_no_picture(failed_drape, tmp_path):
    from render_farm.contact_sheet import CELL_WIDTH
    from render_farm.plan import PlannedTask, run_task

    render = PlannedTask("r1", "render", {
        "drape": {"path": str(failed_drape / "drape")}, "views": ["front"], "samples": 1,
        "resolution": [32, 48], "template": "studio"})
    assert run_task(render, tmp_path, "cpu")  # done, without pictures: nothing to retry
    reason = json.loads((tmp_path / "renders" / "r1" / "not_rendered.json").read_text())
    assert reason["reason"].startswith("drape failed: ") and "inside the body" in reason["reason"]
    assert not (tmp_path / "renders" / "r1" / "front.png").exists()
    sheet = PlannedTask("s1", "sheet", {"renders": [
        {"key": "r1", "label": "woman / crossed skirt", "views": ["front"]}]}, ("r1",))
    assert run_task(sheet, tmp_path, "cpu")
    index = json.loads((tmp_path / "sheets" / "s1" / "index.json").read_text())
    assert index["images"][0]["missing"] and index["images"][0]["reason"] == reason["reason"]
    cell = np.asarray(Image.open(tmp_path / "sheets" / "s1" / "contact_sheet.png").convert("L"))
    assert cell.shape[1] == CELL_WIDTH and (cell == 0xbb).mean() > 0.5  # a grey cell with text
    assert (cell < 0x60).any()
    page = (tmp_path / "sheets" / "s1" / "index.html").read_text()
    assert "not rendered: drape failed" in page


def test_the_watch_gives_up_on_cloth_that_stays_deep_not_on_a_seam_closing():
    import trimesh

    from neural.drape.drape_garment import _clear_of_body

    body = trimesh.creation.icosphere(subdivisions=3, radius=0.2)
    watch = _clear_of_body(np.asarray(body.vertices), np.asarray(body.faces))
    clear, deep = np.array([[0.0, 0.0, 0.25]]), np.array([[0.0, 0.0, 0.15]])  # 5 cm in
    assert watch(deep) and watch(clear)  # pulled in while a seam closed, then pushed out
    assert watch(deep) and not watch(deep)  # still in at the next look: give up


def test_nothing_is_draped_over_a_failed_drape(capsys, failed_drape, tmp_path):
    code, out, err = _run(capsys, "drape", str(failed_drape / "avatar"),
                          str(failed_drape / "garment"), "--over", str(failed_drape / "drape"),
                          "--out", str(tmp_path / "over"))
    assert code == 2 and not out and len(err) == 1 and "nothing is draped over it" in err[0]
    assert not (tmp_path / "over").exists()
