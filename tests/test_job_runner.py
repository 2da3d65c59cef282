"""The local job runner: a second run redoes nothing; an interrupted run resumes."""
import shutil

import pytest

from render_farm import local_runner
from tests.conftest import PHOTO


@pytest.fixture()
def job(tmp_path, avatar_dir, garment_dir):
    shutil.copy(PHOTO, tmp_path / "person.png")
    path = tmp_path / "job.yaml"
    path.write_text(
        "avatars:\n  - {photo: person.png, height_cm: 175}\n"
        "garments:\n  - {kind: tshirt, sizes: [M], fabric: cotton}\n"
        "render: {views: [front], samples: 2, resolution: [48, 64]}\n"
    )
    return path


def test_second_run_does_no_work_and_interrupt_resumes(job, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real_render = local_runner.render_stage

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(local_runner, "render_stage", interrupted)
    with pytest.raises(KeyboardInterrupt):
        local_runner.run_job(job, out, "cpu")
    assert not list((out / "renders").glob("*")) if (out / "renders").exists() else True
    assert len(list((out / "drapes").iterdir())) == 1

    monkeypatch.setattr(local_runner, "render_stage", real_render)
    resumed = local_runner.run_job(job, out, "cpu")
    assert resumed["ran"] == 1 and resumed["skipped"] == 3
    assert all(p.endswith("front.png") for p in resumed["images"])

    again = local_runner.run_job(job, out, "cpu")
    assert again == {"ran": 0, "skipped": 4, "images": resumed["images"]}
