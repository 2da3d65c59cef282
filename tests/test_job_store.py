"""The farm's SQL job store, on SQLite and on a PostgreSQL server: a task becomes ready when all it needs is done, one
worker wins a ready task, failures retry elsewhere until the task fails for good with its log,
a worker that keeps failing a job is blocklisted for it, a silent worker's task is taken back,
priorities order the queue."""
import time

import pytest

from render_farm.plan import JobPlan, PlannedTask
from render_farm.store import BLOCK_AFTER, MAX_TRIES, JobStore


def _plan(priority: int = 0) -> JobPlan:
    """fit -> drape <- garment; drape -> render; a second garment -> its own drape -> render."""
    tasks = [PlannedTask("fit", "fit", {}), PlannedTask("g1", "garment", {}),
             PlannedTask("g2", "garment", {}),
             PlannedTask("d1", "drape", {}, ("fit", "g1")),
             PlannedTask("d2", "drape", {}, ("fit", "g2")),
             PlannedTask("r1", "render", {}, ("d1",)), PlannedTask("r2", "render", {}, ("d2",)),
             PlannedTask("sheet", "sheet", {}, ("r1", "r2"), partial=True)]
    return JobPlan(tasks, priority)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "postgresql":
        return JobStore(request.getfixturevalue("postgres").new_database())
    return JobStore(f"sqlite:///{tmp_path / 'farm.db'}")


def _run(store, job, key, worker="w1", ok=True, error=None):
    attempt = store.start_attempt(job, key, worker)
    assert attempt is not None, f"{key} could not start on {worker}"
    return store.finish_attempt(attempt, ok, error, log=f"log of {key} on {worker}")[0]


def _ready(store):
    return [task.key for _, task in store.ready_tasks()]


def test_tasks_become_ready_as_what_they_need_is_done(store, tmp_path):
    job = store.add_job(_plan(), str(tmp_path / "out"), "lookbook")
    assert _ready(store) == ["fit", "g1", "g2"]
    _run(store, job, "g1")
    assert "d1" not in _ready(store)  # still needs the fit
    _run(store, job, "fit")
    assert _ready(store) == ["g2", "d1"]
    for key in ("g2", "d1", "d2", "r1", "r2", "sheet"):
        _run(store, job, key)
    status = store.status(job)["jobs"][0]
    assert status["state"] == "done" and status["counts"] == {"done": 8}


def test_one_worker_wins_a_ready_task(store, tmp_path):
    job = store.add_job(_plan(), str(tmp_path), "race")
    assert store.start_attempt(job, "fit", "w1") is not None
    assert store.start_attempt(job, "fit", "w2") is None
    assert store.start_attempt(job, "d1", "w2") is None  # not ready yet


def test_workers_claiming_at_once_take_each_task_exactly_once(store, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    tasks = [PlannedTask(f"g{n}", "garment", {}) for n in range(40)]
    job = store.add_job(JobPlan(tasks, 0), str(tmp_path), "crowd")

    def claim_all(worker: str) -> list[str]:
        own = JobStore(store.engine.url.render_as_string(hide_password=False))  # its own engine
        taken = []
        while (claim := own.claim_next(tasks[0].queue, worker)) is not None:
            taken.append(claim.task.key)
        return taken

    with ThreadPoolExecutor(4) as pool:
        taken = list(pool.map(claim_all, ["w1", "w2", "w3", "w4"]))
    keys = [key for worker in taken for key in worker]
    assert sorted(keys) == sorted(task.key for task in tasks)  # each once
    assert sum(1 for worker in taken if worker) >= 2
    assert all(len(store.attempts(job, key)) == 1 for key in keys)


def test_a_poisoned_task_fails_with_its_log_and_the_rest_completes(store, tmp_path):
    job = store.add_job(_plan(), str(tmp_path), "poison")
    for key in ("fit", "g1", "g2"):
        _run(store, job, key)
    workers = ["w1", "w2", "w3"]  # each failure blocklists nobody before BLOCK_AFTER
    states = [_run(store, job, "d2", workers[i], ok=False, error="boom") for i in range(MAX_TRIES)]
    assert states == ["ready"] * (MAX_TRIES - 1) + ["failed"]
    for key in ("d1", "r1"):
        _run(store, job, key)
    assert _ready(store) == ["sheet"]  # over the renders there are
    _run(store, job, "sheet")
    status = store.status(job)["jobs"][0]
    assert status["counts"] == {"done": 6, "failed": 1, "skipped": 1}  # r2 needs d2
    assert status["state"] == "failed"
    attempts = store.attempts(job, "d2")
    assert [a["outcome"] for a in attempts] == ["failed"] * MAX_TRIES
    assert attempts[0]["error"] == "boom" and attempts[0]["log"] == "log of d2 on w1"


def test_a_worker_that_keeps_failing_a_job_is_blocklisted_for_it(store, tmp_path):
    job = store.add_job(_plan(), str(tmp_path), "flaky worker")
    other = store.add_job(_plan(), str(tmp_path), "another job")
    for key in ("fit", "g1")[:BLOCK_AFTER]:
        assert _run(store, job, key, "bad", ok=False) == "ready"  # retried elsewhere
    assert store.start_attempt(job, "fit", "bad") is None
    assert _run(store, job, "fit", "good") == "done"
    assert store.start_attempt(other, "fit", "bad") is not None  # only for that job


def test_priorities_order_the_queue_and_cancel_stops_a_job(store, tmp_path):
    low = store.add_job(_plan(0), str(tmp_path), "low")
    high = store.add_job(_plan(9), str(tmp_path), "high")
    assert [job for job, _ in store.ready_tasks()] == [high] * 3 + [low] * 3
    claim = store.claim_next("cpu", "w1")
    assert (claim.job_id, claim.task.key) == (high, "g1")  # the fit waits in the gpu queue
    assert store.ready_counts() == {"cpu": 3, "gpu": 2}
    store.cancel_job(high)
    assert [job for job, _ in store.ready_tasks()] == [low] * 3  # its running task too
    assert store.status(high)["jobs"][0]["state"] == "cancelled"
    store.heartbeat("w1", ["cpu", "gpu"])
    assert store.status()["workers"][0]["queues"] == ["cpu", "gpu"]


def test_a_silent_workers_task_is_taken_back_and_its_late_result_ignored(store, tmp_path):
    job = store.add_job(_plan(), str(tmp_path), "lost worker")
    store.heartbeat("w1", ["gpu"])
    claim = store.claim_next("gpu", "w1")
    assert claim.task.key == "fit" and store.claim_next("gpu", "w2") is None
    store.heartbeat("w2", ["gpu"])
    assert store.reclaim_lost(lost_after_s=60) == []  # w1 is not silent yet
    time.sleep(0.3)
    store.heartbeat("w2", ["gpu"])
    (reclaimed,) = store.reclaim_lost(lost_after_s=0.2)
    assert (reclaimed.task.key, reclaimed.state, reclaimed.out_dir) == ("fit", "ready",
                                                                         str(tmp_path))
    again = store.claim_next("gpu", "w2")
    assert again.task.key == "fit"
    assert store.finish_attempt(claim.attempt_id, ok=True) == ("running", [])  # too late
    assert store.finish_attempt(again.attempt_id, ok=True)[0] == "done"
    assert [a["outcome"] for a in store.attempts(job, "fit")] == ["lost", "ok"]
    assert store.blocklist(job) == []  # a lost attempt is no failure of the worker's


def test_a_restarted_worker_gives_back_what_it_ran(store, tmp_path):
    job = store.add_job(_plan(), str(tmp_path), "restart")
    store.heartbeat("w1", ["gpu"])
    store.claim_next("gpu", "w1")
    (reclaimed,) = store.reclaim_lost(lost_after_s=3600, worker="w1")
    assert reclaimed.state == "ready" and store.status(job)["jobs"][0]["tasks"][0]["tries"] == 1


def test_a_worker_name_is_known_by_its_process_and_freed_by_a_clean_stop(store):
    assert store.worker_seen("w1") is None
    store.register_worker("w1", ["gpu"], "node7", "4242:99")
    store.heartbeat("w1", ["gpu"])  # keeps the process it was registered with
    seen = store.worker_seen("w1")
    assert (seen.host, seen.process, seen.stopped) == ("node7", "4242:99", False)
    store.worker_stopped("w1")
    assert store.worker_seen("w1").stopped
    assert store.status()["workers"][0]["stopped"]


def test_a_process_is_told_apart_from_its_pid_reused(tmp_path):
    import subprocess

    from render_farm.processes import is_running, process_identity

    assert is_running(process_identity())
    pid, start = process_identity().split(":")
    assert not is_running(f"{pid}:{int(start) + 1}")  # another process under the same pid
    child = subprocess.Popen(["sleep", "60"])
    identity = process_identity(child.pid)
    assert is_running(identity)
    child.kill()
    child.wait()
    assert not is_running(identity)


def test_status_watch_redraws_in_place_with_rich_bars_on_a_terminal(tmp_path):
    """``tryon farm status --watch`` on a terminal: rich draws the bars and redraws in place
    until the job ends (elsewhere, tests/test_farm.py, a text block per change)."""
    import io
    import threading

    from render_farm.farm_status import watch

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    store = JobStore(f"sqlite:///{tmp_path / 'farm.db'}")
    job = store.add_job(_plan(), str(tmp_path / "out"), "lookbook")
    keys = ["fit", "g1", "g2", "d1", "d2", "r1", "r2", "sheet"]
    finishing = threading.Thread(target=lambda: [(time.sleep(0.15), _run(store, job, key))
                                                 for key in keys])
    finishing.start()
    screen = Terminal()
    final = watch(store, job, interval_s=0.05, stream=screen)
    finishing.join()
    assert final["jobs"][0]["state"] == "done"
    drawn = screen.getvalue()
    assert "\x1b[" in drawn and "━" in drawn  # rich's bars, in colour
    assert drawn.count("job ") >= 3  # redrawn as the job moved
    assert "#" not in drawn  # not the ASCII bars of the plain text
