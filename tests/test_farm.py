"""The render farm with a real Redis (redis-server on a free port) and real Celery worker
processes, on one avatar and t-shirts in a few sizes (low samples): a job submitted from a shell
completes on two workers while `tryon farm status --watch` follows it (and Flower sees it); the
Blender extension runs its lookbook on the farm; a worker killed with
SIGKILL in the middle of a render, and a broker restarted in the middle of a job, lose nothing;
a task that fails on one worker is retried on another; a poisoned task fails with its log while
the rest of the job completes; the storefront's try-ons run on the farm; a cancelled job
stops."""
from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from neural.errors import InputError
from render_farm.farm_client import cancel, submit
from render_farm.farm_status import snapshot
from tests.conftest import write_average_avatar
from tests.farm_harness import TRYON, LocalFarm, free_port, wait_for

pytestmark = pytest.mark.farm

SIZES = ("M", "L")


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    farm = LocalFarm(tmp_path_factory.mktemp("farm"))
    yield farm
    farm.close()


@pytest.fixture(scope="module")
def avatar(farm) -> Path:
    folder = farm.root / "avatar"
    write_average_avatar(folder, gender=0.0)
    return folder


@pytest.fixture
def two_workers(farm) -> None:
    """Workers w1 and w2 running: left by the tests before, or started here when a test runs
    on its own."""
    for name in ("w1", "w2"):
        if name not in farm.workers or farm.workers[name].poll() is not None:
            farm.start_worker(name)


def _job(farm: LocalFarm, name: str, render: str, sizes=SIZES, avatars=("avatar",)) -> Path:
    """A job file in the farm's folder; every job writes into the same output folder, so
    the drapes of one are done for the next."""
    path = farm.root / f"{name}.yaml"
    path.write_text("avatars:\n" + "".join(f"  - {{avatar: {a}}}\n" for a in avatars)
                    + f"garments:\n  - {{kind: tshirt, sizes: [{', '.join(sizes)}]}}\n"
                    f"render: {render}\noutput: out\n")
    return path


def _ok_attempts(farm: LocalFarm, job_id: str) -> dict[str, list[str]]:
    """Each task's successful attempts' workers."""
    found = {}
    for attempt in farm.store.attempts(job_id):
        if attempt["outcome"] == "ok":
            found.setdefault(attempt["key"], []).append(attempt["worker"])
    return found


def _render_running(farm: LocalFarm, job_id: str):
    """A render of the job whose Blender process has begun writing (its staging folder)."""
    job = farm.store.status(job_id)["jobs"][0]
    for task in job["tasks"]:
        if task["stage"] == "render" and task["state"] == "running" and list(
                (Path(job["out_dir"]) / "renders").glob(f".{task['key']}.staging.*")):
            return task
    return None


def _engines(worker: int | None = None) -> list[int]:
    """Process ids of the farm's engine processes (``tryon task``: ``render_farm.cli ... task``),
    those of the worker process ``worker`` (their ``--parent``) when given."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
        except OSError:
            continue
        if b"render_farm.cli\x00--progress\x00jsonl\x00task\x00" in command and (
                worker is None or f"\x00--parent\x00{worker}\x00".encode() in command + b"\x00"):
            found.append(int(entry.name))
    return found


def _assert_images_whole(job: dict, views: int) -> None:
    renders = Path(job["out_dir"]) / "renders"
    assert not list(renders.glob(".*")), "a half-written render was left behind"
    for task in job["tasks"]:
        if task["stage"] == "render" and task["state"] == "done":
            pngs = sorted((renders / task["key"]).glob("*.png"))
            assert len(pngs) == views
            for png in pngs:
                with Image.open(png) as image:
                    image.load()  # a truncated PNG raises here


def test_a_job_from_a_second_shell_completes_on_two_workers_with_live_status(farm, avatar):
    flower_port = free_port()
    flower = subprocess.Popen(
        [str(Path(TRYON).with_name("celery")), "--broker", farm.broker, "flower",
         f"--port={flower_port}", "--address=127.0.0.1"],
        env=farm.env | {"FLOWER_UNAUTHENTICATED_API": "true"}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        farm.start_worker("w1")
        farm.start_worker("w2")
        job_file = _job(farm, "first", "{views: [front, back], samples: 2, resolution: [64, 96]}")
        submitted = subprocess.run([TRYON, "farm", "submit", str(job_file)], env=farm.env,
                                   capture_output=True, text=True, check=True, timeout=60)
        job_id = submitted.stdout.split()[0]
        watched = subprocess.run([TRYON, "farm", "status", job_id, "--watch"], env=farm.env,
                                 capture_output=True, text=True, timeout=600)
        assert watched.returncode == 0, watched.stderr
        frames = watched.stderr.split("\n\n")
        assert any("running" in frame and "on w" in frame for frame in frames)
        assert len({frame.split("\n")[0] for frame in frames if frame}) >= 3  # it moved
        assert f"job {job_id} 'first' done" in watched.stdout
        job = farm.wait(job_id, 10)
        assert job["counts"] == {"done": 7}  # 2 garments, 2 drapes, 2 renders, 1 sheet
        _assert_images_whole(job, views=2)
        assert Path(job["contact_sheet"]).is_file()
        index = json.loads((Path(job["contact_sheet"]).parent / "index.json").read_text())
        assert len(index["images"]) == 4 and not any(e["missing"] for e in index["images"])
        ok = _ok_attempts(farm, job_id)
        assert all(len(workers) == 1 for workers in ok.values()) and len(ok) == 7
        assert {w for workers in ok.values() for w in workers} == {"w1", "w2"}
        engines = {}  # each worker ran its tasks in its one warm engine, and it is still up
        for attempt in farm.store.attempts(job_id):
            engines.setdefault(attempt["worker"], set()).update(
                int(pid) for pid in re.findall(r" on pid (\d+)\n", attempt["log"]))
        assert all(len(pids) == 1 for pids in engines.values()), engines
        assert {pid for pids in engines.values() for pid in pids} == set(_engines())

        as_json = json.loads(subprocess.run(
            [TRYON, "farm", "status", "--json"], env=farm.env, capture_output=True, text=True,
            check=True).stdout)
        assert {w["name"] for w in as_json["workers"] if w["alive"]} == {"w1", "w2"}
        from render_farm.status_api import create_app
        client = create_app(farm.store_url).test_client()
        assert client.get(f"/v1/farm/jobs/{job_id}").get_json()["counts"] == {"done": 7}
        render = next(t for t in job["tasks"] if t["stage"] == "render")
        attempts = client.get(f"/v1/farm/jobs/{job_id}/tasks/{render['key']}").get_json()
        assert attempts["attempts"][0]["log"].strip().endswith("done")
        assert client.get("/v1/farm/jobs/nothing").status_code == 404

        def flower_saw_them():
            import urllib.request
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{flower_port}/api/tasks") as answer:
                    tasks = json.load(answer)
            except OSError:
                return False
            return sum(t["state"] == "SUCCESS" for t in tasks.values()) >= 7
        wait_for(flower_saw_them, 30, "Flower to list the farm's tasks")
    finally:
        flower.terminate()
        flower.wait(10)


@pytest.mark.usefixtures("two_workers")
def test_the_blender_extension_runs_its_lookbook_on_the_farm(farm, avatar, engine_scene,
                                                            tmp_path):
    """With a farm in its preferences, Run Lookbook submits the job and follows it to its
    images, which come back into the .blend."""
    bpy, settings = engine_scene
    preferences = bpy.context.preferences.addons["addon"].preferences
    preferences.farm_broker, preferences.farm_store = farm.broker, farm.store_url
    settings.avatar_folder = str(avatar)
    settings.garment_kind, settings.fabric = "tshirt", "denim"
    settings.lookbook_sizes, settings.look_views = {"M"}, {"front", "back"}
    settings.render_samples, settings.render_width, settings.render_height = 2, 48, 64
    assert bpy.ops.tryon.run_lookbook() == {"FINISHED"}
    job = snapshot(farm.store, settings.farm_job)["jobs"][0]
    out = tmp_path / "lookbooks" / "avatar"
    assert job["state"] == "done" and job["out_dir"] == str(out)
    assert {a["worker"] for a in farm.store.attempts(job["id"])} <= {"w1", "w2"}
    images = sorted(out.glob("renders/*/*.png"))
    assert len(images) == 2 and settings.lookbook_folder == str(out)
    assert {Path(bpy.path.abspath(i.filepath)) for i in bpy.data.images} >= set(images)
    assert bpy.context.window_manager.tryon.message == f"lookbook of 2 images in {out} (farm job)"


@pytest.mark.usefixtures("two_workers")
def test_a_worker_killed_mid_render_loses_nothing(farm, avatar):
    job_id = submit(_job(farm, "killed", "{views: [front, back, left], samples: 16, "
                               "resolution: [192, 288]}"), farm.broker, farm.store_url)
    render = wait_for(lambda: _render_running(farm, job_id), 120, "a render to be under way")
    killed = farm.workers[render["worker"]].pid
    farm.kill_worker(render["worker"])
    survivor = ({"w1", "w2"} - {render["worker"]}).pop()
    job = farm.wait(job_id)
    assert job["state"] == "done"
    attempts = farm.store.attempts(job_id, render["key"])
    assert [(a["worker"], a["outcome"]) for a in attempts] == [
        (render["worker"], "lost"), (survivor, "ok")]
    assert all(len(workers) == 1 for workers in _ok_attempts(farm, job_id).values())
    _assert_images_whole(job, views=3)
    wait_for(lambda: not _engines(killed), 10, "the killed worker's engine to end with it")
    farm.start_worker(render["worker"])  # the same name again


def test_a_worker_stopped_or_killed_starts_again_at_once_under_its_name(farm, avatar):
    """SIGTERM frees the name at once; after SIGKILL the new process on the same host sees
    that the old one is gone, takes back its render (lost, then run again) and serves."""
    for name in list(farm.workers):
        farm.kill_worker(name, signal.SIGTERM)
    farm.start_worker("w1")
    farm.kill_worker("w1", signal.SIGTERM)
    farm.start_worker("w1")  # at once: refused before, until --lost-after (8 s) had passed
    assert [w["alive"] for w in snapshot(farm.store)["workers"] if w["name"] == "w1"] == [True]

    job_id = submit(_job(farm, "restarted", "{views: [front, back], samples: 16, "
                               "resolution: [160, 240]}", sizes=("M",)),
                    farm.broker, farm.store_url)
    render = wait_for(lambda: _render_running(farm, job_id), 120, "a render to be under way")
    farm.kill_worker("w1", signal.SIGKILL)
    farm.start_worker("w1")  # at once: no waiting out --lost-after
    job = farm.wait(job_id)
    assert job["state"] == "done"
    assert [(a["worker"], a["outcome"]) for a in farm.store.attempts(job_id, render["key"])] == [
        ("w1", "lost"), ("w1", "ok")]
    assert all(len(workers) == 1 for workers in _ok_attempts(farm, job_id).values())
    _assert_images_whole(job, views=2)


def test_a_second_live_worker_under_a_taken_name_is_refused(farm):
    if "w1" not in farm.workers or farm.workers["w1"].poll() is not None:
        farm.start_worker("w1")
    second = subprocess.run([TRYON, "farm", "worker", "--name", "w1"], env=farm.env,
                            capture_output=True, text=True, timeout=120)
    assert second.returncode == 2
    assert second.stderr.startswith("tryon: error: a worker named w1 is running here")
    assert second.stderr.count("\n") == 1
    assert farm.workers["w1"].poll() is None


@pytest.mark.usefixtures("two_workers")
def test_a_broker_restart_mid_job_loses_nothing(farm, avatar):
    job_id = submit(_job(farm, "restart", "{views: [front, back], samples: 16, "
                               "resolution: [160, 240], template: packshot}"),
                    farm.broker, farm.store_url)
    wait_for(lambda: _render_running(farm, job_id), 120, "a render to be under way")
    farm.restart_broker()
    job = farm.wait(job_id)
    assert job["state"] == "done" and job["counts"] == {"done": 7}
    assert all(len(workers) == 1 for workers in _ok_attempts(farm, job_id).values())
    assert not [a for a in farm.store.attempts(job_id) if a["outcome"] != "ok"]
    _assert_images_whole(job, views=2)
    assert all(farm.workers[name].poll() is None for name in ("w1", "w2"))


@pytest.mark.skipif(os.path.exists("/dev/nvidia0"), reason="needs a machine without a GPU")
def test_a_task_failing_on_one_worker_is_retried_on_another(farm, avatar):
    """A worker told to use a GPU this machine lacks fails its drapes (as a GPU node whose
    driver died would) and is blocklisted for the job; a healthy worker takes them over."""
    for name in list(farm.workers):
        farm.kill_worker(name, signal.SIGTERM)
    farm.start_worker("broken", "--device", "cuda")
    job_id = submit(_job(farm, "retried", "{views: [front], samples: 2, resolution: [64, 96]}",
                         sizes=("S",)), farm.broker, farm.store_url)
    wait_for(lambda: farm.store.blocklist(job_id) == ["broken"], 120, "the blocklist")
    farm.start_worker("w1")
    job = farm.wait(job_id)
    assert job["state"] == "done"
    drape = next(t for t in job["tasks"] if t["stage"] == "drape")
    attempts = farm.store.attempts(job_id, drape["key"])
    assert [(a["worker"], a["outcome"]) for a in attempts] == [
        ("broken", "failed"), ("broken", "failed"), ("w1", "ok")]
    assert "no CUDA GPU" in attempts[0]["error"]
    farm.kill_worker("broken", signal.SIGTERM)
    farm.start_worker("w2")


@pytest.mark.usefixtures("two_workers")
def test_a_poisoned_task_fails_with_its_log_while_the_rest_completes(farm, avatar):
    poisoned = farm.root / "newer_avatar"
    poisoned.mkdir(exist_ok=True)
    document = json.loads((avatar / "avatar.json").read_text()) | {"schema_version": 99}
    (poisoned / "avatar.json").write_text(json.dumps(document))  # from a newer tryon
    job_id = submit(_job(farm, "poisoned", "{views: [front], samples: 2, resolution: [64, 96]}",
                         sizes=("M",), avatars=("avatar", "newer_avatar")),
                    farm.broker, farm.store_url)
    job = farm.wait(job_id)
    states = {(t["stage"], t["label"].split(" /")[0]): t["state"] for t in job["tasks"]}
    assert states == {("garment", "tshirt M cotton"): "done", ("drape", "avatar"): "done",
                      ("render", "avatar"): "done", ("drape", "newer_avatar"): "failed",
                      ("render", "newer_avatar"): "skipped", ("sheet", "contact sheet"): "done"}
    assert job["state"] == "failed"
    drape = next(t for t in job["tasks"] if t["label"].startswith("newer_avatar"))
    attempts = farm.store.attempts(job_id, drape["key"])
    assert len(attempts) == 3 and all(a["outcome"] == "failed" for a in attempts)
    assert "schema version 99 is newer" in attempts[-1]["error"]
    assert "schema version 99" in attempts[-1]["log"]
    logs = subprocess.run([TRYON, "farm", "logs", job_id], env=farm.env, capture_output=True,
                          text=True, check=True).stdout
    assert logs.count("failed (avatar schema version 99") == 3
    index = json.loads((Path(job["contact_sheet"]).parent / "index.json").read_text())
    assert [e["missing"] for e in index["images"]] == [False, True]


@pytest.mark.usefixtures("two_workers")
def test_the_storefront_renders_its_tryons_on_the_farm(farm, avatar, tmp_path):
    """With a broker in its settings, the storefront API sends a try-on to the farm's workers:
    with size advice, three sizes of jeans to drape and render."""
    import dataclasses
    import shutil
    import time

    from recommender.api import create_app
    from recommender.api.config import settings_from_environment

    settings = dataclasses.replace(settings_from_environment(tmp_path / "shop"),
                                   broker=farm.broker, farm_store=farm.store_url,
                                   render_samples=2, render_resolution=(64, 96))
    app = create_app(settings)
    data = app.extensions["tryon"]["data"]
    key = data.create_key("farm shop")
    shop = data.storefront_of(key)
    folder = settings.data_dir / "avatars" / shop / "farmavatar000000"
    shutil.copytree(avatar, folder)  # stored as an uploaded avatar is
    data.add_avatar(shop, folder.name, json.loads((folder / "avatar.json").read_text()))
    client, headers = app.test_client(), {"Authorization": f"Bearer {key}"}
    tryon = client.post("/v1/tryons", json={"avatar": folder.name, "garment": "jeans-indigo",
                                            "size": "advise"}, headers=headers).get_json()
    record = data.tryon(shop, tryon["id"])
    assert record["farm_job"] and tryon["state"] in ("queued", "running")
    deadline = time.monotonic() + 600
    while tryon["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(1)
        tryon = client.get(f"/v1/tryons/{tryon['id']}", headers=headers).get_json()
    assert tryon["state"] == "done", tryon
    assert {a["worker"] for a in farm.store.attempts(record["farm_job"])} <= {"w1", "w2"}
    assert len(tryon["sizes"]) == 3 and tryon["size"] in [s["size"] for s in tryon["sizes"]]
    assert tryon["advice"]["reason"].startswith(tryon["advice"]["size"].split("-")[0])
    front = client.get(tryon["files"]["front.png"], headers=headers)
    assert front.status_code == 200 and Image.open(io.BytesIO(front.data)).size == (64, 96)
    assert 0.0 <= tryon["fit"]["score"] <= 1.0 and "waist" in tryon["fit"]["regions"]
    # its outcome is recorded by the server's follower of the farm job, not by the reads above
    wait_for(lambda: data.tryon(shop, tryon["id"])["fit_score"] is not None, 30,
             "the follower to record the try-on's fit score")
    assert data.tryon(shop, tryon["id"])["state"] == "done"
    assert data.drape_fits(shop, folder.name) == {"jeans-indigo": tryon["fit"]["score"]}


@pytest.mark.usefixtures("two_workers")
def test_the_storefront_fits_uploads_on_the_farm_with_the_photos_never_on_disk(farm, tmp_path):
    """With a broker, an upload is answered at once and fitted by a farm worker: the photo
    waits encrypted in Redis (gone once fitted), never in the job store or on disk; a photo
    without a person is the fit's outcome, not a failure retried on every worker."""
    import dataclasses
    import time

    import redis

    from recommender.api import create_app
    from recommender.api.config import settings_from_environment
    from tests.conftest import HEIGHT_CM, PHOTO

    settings = dataclasses.replace(settings_from_environment(tmp_path / "shop"),
                                   broker=farm.broker, farm_store=farm.store_url)
    app = create_app(settings)
    data = app.extensions["tryon"]["data"]
    key = data.create_key("farm shop")
    client, headers = app.test_client(), {"Authorization": f"Bearer {key}"}
    photo = PHOTO.read_bytes()
    blank = io.BytesIO()
    Image.new("L", (64, 64)).save(blank, "PNG")
    avatars = {}
    for name, payload in (("photo", photo), ("blank", blank.getvalue())):
        created = client.post("/v1/avatars", headers=headers, data={
            "front": (io.BytesIO(payload), f"{name}.png", "image/png"),
            "height_cm": str(HEIGHT_CM)})
        assert created.status_code == 202, created.get_data(as_text=True)
        avatars[name] = created.get_json()["id"]
    assert len(redis.Redis.from_url(farm.broker).keys("tryon:photo:*")) == 2

    def settled(name: str) -> dict | None:
        answer = client.get(f"/v1/avatars/{avatars[name]}", headers=headers).get_json()
        return answer if answer["state"] != "fitting" else None

    ready, refused = (wait_for(lambda: settled(n), 300, f"the {n} to fit") for n in avatars)
    assert ready["state"] == "ready" and 70 < ready["measurements_cm"]["chest_girth"] < 130
    assert refused["state"] == "failed" and refused["error"]["code"] == "unusable_photo"
    assert "no person" in refused["error"]["message"]
    jobs = [job for job in snapshot(farm.store)["jobs"] if job["name"].startswith("avatar ")]
    assert {job["name"] for job in jobs} == {f"avatar {a}" for a in avatars.values()}
    assert all(job["state"] == "done" for job in jobs)
    assert all(len(farm.store.attempts(job["id"])) == 1 for job in jobs)  # no retries
    wait_for(lambda: not redis.Redis.from_url(farm.broker).keys("tryon:photo:*"), 10,
             "the photos to leave Redis")
    store_file = Path(farm.store_url.removeprefix("sqlite:///"))
    for path in [store_file, *tmp_path.rglob("*"), *farm.root.rglob("*")]:
        if path.is_file():
            assert photo[1000:1064] not in path.read_bytes(), path
    assert (settings.data_dir / "avatars" / data.storefront_of(key) / avatars["photo"] /
            "avatar.glb").is_file()


@pytest.mark.usefixtures("two_workers")
def test_a_cancelled_job_stops_its_running_render(farm, avatar):
    job_id = submit(_job(farm, "cancelled", "{views: [front, back, left, right], samples: 32, "
                               "resolution: [256, 384]}"), farm.broker, farm.store_url)
    render = wait_for(lambda: _render_running(farm, job_id), 120, "a render to be under way")
    rendering = _engines(farm.workers[render["worker"]].pid)
    cancel(job_id, farm.store_url)
    wait_for(lambda: not set(rendering) & set(_engines()), 30, "the render's engine to stop")
    job = farm.wait(job_id, 10)
    assert job["state"] == "cancelled"
    assert not (Path(job["out_dir"]) / "renders" / render["key"]).exists()
    assert "cancelled" in {t["state"] for t in job["tasks"]}
    with pytest.raises(InputError, match="no job"):
        cancel("nothing", farm.store_url)
    missing = subprocess.run([TRYON, "farm", "status", "nothing"], env=farm.env,
                             capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr == (
        "tryon: error: no job nothing in the farm's store\n")
    followed = subprocess.run([TRYON, "farm", "status", job_id, "--watch"], env=farm.env,
                              capture_output=True, text=True)
    assert followed.returncode == 1 and f"job {job_id} cancelled" in followed.stderr

