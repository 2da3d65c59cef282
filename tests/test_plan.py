"""Planning a job into a task graph: one task per distinct piece of work, each after the tasks
it needs, the same keys whatever the order of the file, plain JSON for workers elsewhere."""
import shutil

from render_farm.plan import PlannedTask, plan_job
from tests.conftest import PHOTO


def _job(tmp_path, garments: str, priority: str = ""):
    for name in ("a.png", "b.png"):
        shutil.copy(PHOTO, tmp_path / name)
    (tmp_path / "b.png").write_bytes((tmp_path / "b.png").read_bytes() + b"\0")  # another photo
    job = tmp_path / "job.yaml"
    job.write_text("avatars:\n  - {photo: a.png, height_cm: 175}\n  - {photo: b.png, "
                   f"height_cm: 160}}\ngarments:\n{garments}"
                   "render: {views: [front, back], samples: 2}\n" + priority)
    return job


def test_two_avatars_two_garments_in_two_sizes_plan_once_each(tmp_path):
    plan = plan_job(_job(tmp_path, "  - {kind: tshirt, sizes: [S, L]}\n  - {kind: skirt}\n",
                         "priority: 5\n"))
    stages = [t.stage for t in plan.tasks]
    # 2 fits, 3 garments (tshirt S, L; skirt M), 6 drapes, 6 renders (each all views), 1 sheet
    assert {s: stages.count(s) for s in set(stages)} == {
        "fit": 2, "garment": 3, "drape": 6, "render": 6, "sheet": 1}
    assert plan.priority == 5
    seen = set()
    for task in plan.tasks:
        assert set(task.needs) <= seen, f"{task.label} planned before what it needs"
        seen.add(task.key)
    assert len(seen) == len(plan.tasks)
    render = next(t for t in plan.tasks if t.stage == "render")
    assert render.args["views"] == ["front", "back"] and render.queue == "gpu"
    assert next(t for t in plan.tasks if t.stage == "garment").queue == "cpu"
    assert all(PlannedTask.from_json(t.to_json()) == t for t in plan.tasks)
    assert len(plan.images(tmp_path)) == 12


def test_keys_depend_on_the_work_not_on_the_file(tmp_path):
    first = plan_job(_job(tmp_path, "  - {kind: tshirt, sizes: [S, L]}\n"))
    swapped = plan_job(_job(tmp_path, "  - {kind: tshirt, sizes: [L, S]}\n"))
    assert {t.key for t in first.tasks} == {t.key for t in swapped.tasks}
    other = plan_job(_job(tmp_path, "  - {kind: tshirt, sizes: [S, L], fabric: denim}\n"))
    shared = {t.key for t in first.tasks} & {t.key for t in other.tasks}
    assert {t.stage for t in first.tasks if t.key in shared} == {"fit"}


def test_a_garment_colour_is_its_own_garment_and_a_bad_one_is_refused(tmp_path):
    import pytest

    from neural.errors import InputError

    plain = plan_job(_job(tmp_path, "  - {kind: tshirt}\n"))
    red = plan_job(_job(tmp_path, "  - {kind: tshirt, color: [0.55, 0.05, 0.05]}\n"))
    garment = next(t for t in red.tasks if t.stage == "garment")
    assert garment.args["color"] == [0.55, 0.05, 0.05]
    assert garment.key not in {t.key for t in plain.tasks}
    assert next(t for t in plain.tasks if t.stage == "garment").args["color"] is None
    with pytest.raises(InputError, match=r"garments\[0\]\.color"):
        plan_job(_job(tmp_path, "  - {kind: tshirt, color: [1.5, 0, 0]}\n"))


def test_an_outfit_drapes_in_dressing_order_and_shares_the_layers_that_did_not_change(
        tmp_path):
    import pytest

    from neural.errors import InputError

    def outfit(top: str) -> str:
        return ("outfits:\n  - - {kind: trousers, size: M}\n    - {kind: tshirt, size: M}\n"
                f"    - {{kind: jacket, size: {top}}}\n")

    plan = plan_job(_job(tmp_path, "  - {kind: skirt}\n" + outfit("L")))
    drapes = [t for t in plan.tasks if t.stage == "drape"]
    jacket, tshirt, trousers = (next(t for t in drapes if t.label.endswith(f"{kind} {size} cotton")
                                     and t.args["avatar"] == drapes[0].args["avatar"])
                                for kind, size in (("jacket", "L"), ("tshirt", "M"),
                                                   ("trousers", "M")))
    assert "over" not in trousers.args and tshirt.args["over"] == {"task": trousers.key}
    assert jacket.args["over"] == {"task": tshirt.key} and tshirt.key in jacket.needs
    render = next(t for t in plan.tasks if t.stage == "render" and t.needs == (jacket.key,))
    assert render.label.endswith("trousers M cotton + tshirt M cotton + jacket L cotton")
    stages = [t.stage for t in plan.tasks]  # 2 avatars x (skirt + 3 layers)
    assert stages.count("drape") == 8 and stages.count("render") == 4
    bigger = plan_job(_job(tmp_path, "  - {kind: skirt}\n" + outfit("XL")))
    shared = {t.key for t in plan.tasks} & {t.key for t in bigger.tasks}
    assert trousers.key in shared and tshirt.key in shared and jacket.key not in shared
    with pytest.raises(InputError, match="2 to 4 garments"):
        plan_job(_job(tmp_path, "  - {kind: skirt}\noutfits:\n  - - {kind: tshirt}\n"))
    with pytest.raises(InputError, match=r"outfits\[0\]\[0\]\.sizes"):
        plan_job(_job(tmp_path, "  - {kind: skirt}\noutfits:\n"
                                "  - - {kind: tshirt, sizes: [S, M]}\n    - {kind: jacket}\n"))


def test_the_body_style_is_the_renders_own_and_a_bad_one_is_refused(tmp_path):
    import pytest

    from neural.errors import InputError

    realistic = plan_job(_job(tmp_path, "  - {kind: tshirt}\n"))
    job = _job(tmp_path, "  - {kind: tshirt}\n")
    job.write_text(job.read_text().replace("samples: 2}", "samples: 2, body: invisible}"))
    ghost = plan_job(job)
    renders = [next(t for t in plan.tasks if t.stage == "render") for plan in (realistic, ghost)]
    assert [r.args["body"] for r in renders] == ["realistic", "invisible"]
    assert renders[0].key != renders[1].key  # another picture, the same drape
    drapes = [{t.key for t in plan.tasks if t.stage == "drape"} for plan in (realistic, ghost)]
    assert drapes[0] == drapes[1]
    job.write_text(job.read_text().replace("body: invisible", "body: ghost"))
    with pytest.raises(InputError, match=r"render\.body"):
        plan_job(job)
