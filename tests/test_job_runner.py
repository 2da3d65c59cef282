"""The local job runner on 2 photos x 1 garment in 2 sizes: 4 try-ons planned as 13 tasks,
resumable, no rework, and a contact sheet."""
import hashlib
import json
from pathlib import Path

import pytest
from PIL import Image

from render_farm import local_runner
from tests.conftest import PHOTO

pytestmark = pytest.mark.blender


@pytest.fixture()
def job(tmp_path):
    import cv2

    cv2.imwrite(str(tmp_path / "person_a.png"), cv2.imread(str(PHOTO)))
    cv2.imwrite(str(tmp_path / "person_b.png"), cv2.flip(cv2.imread(str(PHOTO)), 1))
    path = tmp_path / "job.yaml"
    path.write_text(
        "avatars:\n  - {photo: person_a.png, height_cm: 175}\n"
        "  - {photo: person_b.png, height_cm: 168}\n"
        "garments:\n  - {kind: tshirt, sizes: [S, L], fabric: cotton}\n"
        "render: {views: [front], samples: 2, resolution: [48, 64]}\n"
    )
    return path


def test_four_tryons_resume_after_interrupt_and_second_run_does_no_work(job, tmp_path, monkeypatch):
    from render_farm import render_stage as stage

    out = tmp_path / "out"
    real_render = stage.render_stage

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(stage, "render_stage", interrupted)
    with pytest.raises(KeyboardInterrupt):
        local_runner.run_job(job, out, "cpu")
    assert not (out / "renders").exists() or not list((out / "renders").iterdir())
    assert len(list((out / "drapes").iterdir())) == 1

    monkeypatch.setattr(stage, "render_stage", real_render)
    resumed = local_runner.run_job(job, out, "cpu")
    # 2 fits + 2 garments + 4 drapes + 4 renders + 1 contact sheet = 13 tasks; 3 were done
    # before the interrupt
    assert resumed["ran"] == 10
    assert len(resumed["images"]) == 4
    digests = {hashlib.sha256(open(p, "rb").read()).hexdigest() for p in resumed["images"]}
    assert len(digests) == 4, "each avatar x size must give its own image"

    again = local_runner.run_job(job, out, "cpu")
    assert again["ran"] == 0 and again["images"] == resumed["images"]
    assert json.loads((out / "index.json").read_text())["images"] == resumed["images"]
    sheet = Image.open(resumed["contact_sheet"])
    assert sheet.width == 4 * 256 and sheet.height > 64  # four renders side by side, labelled
    index = json.loads((Path(resumed["contact_sheet"]).parent / "index.json").read_text())
    assert [e["label"] for e in index["images"]] == [
        f"{person} / tshirt {size} cotton / front" for person in ("person_a", "person_b")
        for size in ("S", "L")]
    page = (Path(resumed["contact_sheet"]).parent / "index.html").read_text()
    assert all(e["image"] in page for e in index["images"])


def test_a_job_names_a_fitted_avatar_by_its_folder(tmp_path, avatar_dir):
    from neural.errors import InputError
    from render_farm.job import load_job

    job = tmp_path / "job.yaml"
    job.write_text(f"avatars:\n  - {{avatar: {avatar_dir}}}\ngarments:\n  - {{kind: skirt}}\n")
    (try_on,) = load_job(job)
    assert try_on.avatar_dir == avatar_dir and try_on.photo is None
    job.write_text("avatars:\n  - {avatar: nowhere}\ngarments:\n  - {kind: skirt}\n")
    with pytest.raises(InputError, match="no fitted avatar"):
        load_job(job)


def test_an_outfit_is_draped_layer_over_layer_and_a_changed_top_redrapes_only_the_top(
        tmp_path):
    """Trousers then a t-shirt over them on Anny's average man: two drapes, the second over
    the first, one render of both; the t-shirt in another size re-drapes only the t-shirt."""
    from render_farm.cli import main
    from tests.conftest import write_average_avatar

    write_average_avatar(tmp_path / "man", gender=0.0)
    job, out = tmp_path / "job.yaml", tmp_path / "out"

    def run(top_size: str) -> None:
        job.write_text(
            f"avatars:\n  - {{avatar: man}}\noutfits:\n  - - {{kind: trousers, size: S, "
            f"fabric: denim}}\n    - {{kind: tshirt, size: {top_size}, fabric: jersey}}\n"
            "render: {views: [front], samples: 2, resolution: [64, 96]}\n")
        assert main(["run", str(job), "--out", str(out)]) == 0

    run("S")
    drapes = {p.parent: json.loads(p.read_text()) for p in (out / "drapes").glob("*/fit.json")}
    (top,) = [fit for fit in drapes.values() if fit["garment"] == "tshirt"]
    assert top["layers_under"][0]["garment"] == "trousers" and top["simulation"]["passed"]
    assert all(fit["simulation"]["passed"] for fit in drapes.values()) and len(drapes) == 2
    index = json.loads(next((out / "sheets").glob("*/index.json")).read_text())
    assert index["images"][0]["label"] == "man / trousers S denim + tshirt S jersey / front"
    before = {p.stat().st_mtime_ns for p in (out / "drapes").glob("*/fit.json")}
    run("M")
    after = {p: json.loads(p.read_text())["garment"] for p in (out / "drapes").glob("*/fit.json")}
    assert len(after) == 3 and sorted(after.values()) == ["trousers", "tshirt", "tshirt"]
    assert before <= {p.stat().st_mtime_ns for p in after}  # the first two untouched
