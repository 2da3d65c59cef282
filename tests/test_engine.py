"""The engine-process runner (the add-on, the storefront and the farm use it): real ``tryon``
commands in the project's Python, out of process, and warm engines serving task after task."""
import os
import sys
import threading
import time

import pytest

from render_farm.engine_process import EngineError, EngineProcess, EngineServer
from render_farm.plan import PlannedTask


def _wait(task: EngineProcess, seconds: float = 300.0) -> EngineProcess:
    deadline = time.monotonic() + seconds
    while not task.finished:
        assert time.monotonic() < deadline, "the engine did not finish"
        time.sleep(0.05)
    return task


def test_a_drape_reports_progress_and_its_result(tmp_path, avatar_dir, garment_dir):
    started = time.perf_counter()
    task = EngineProcess(sys.executable, ["drape", str(avatar_dir), str(garment_dir),
                                       "--out", str(tmp_path / "drape"), "--device", "cpu"])
    assert time.perf_counter() - started < 0.2  # starting a task does not wait on it
    seen = set()
    while not task.finished:
        seen.add(round(task.fraction, 2))
        time.sleep(0.02)
    assert task.succeeded and task.error is None, task.error
    assert task.stage == "draping" and task.fraction == 1.0
    assert len(seen) > 3  # progress came in steps, not only at the end
    assert "written to" in task.output and (tmp_path / "drape" / "draped.glb").is_file()


def test_bad_input_ends_with_the_commands_own_reason(tmp_path):
    task = _wait(EngineProcess(sys.executable, ["garment", "tshirt", "--size", "XXXL",
                                             "--out", str(tmp_path / "g")]))
    assert not task.succeeded
    assert task.error.startswith("unknown size 'XXXL' for tshirt")
    assert not (tmp_path / "g").exists()


def test_cancel_stops_the_command_and_leaves_nothing_half_written(tmp_path, avatar_dir,
                                                                  garment_dir):
    task = EngineProcess(sys.executable, ["drape", str(avatar_dir), str(garment_dir),
                                       "--out", str(tmp_path / "drape"), "--device", "cpu"])
    deadline = time.monotonic() + 120
    while task.fraction == 0.0 and not task.finished:  # cancel once draping is under way
        assert time.monotonic() < deadline
        time.sleep(0.02)
    task.cancel()
    assert task.finished and not task.succeeded and task.error == "cancelled"
    assert not (tmp_path / "drape").exists()


def test_a_wrong_engine_path_is_a_clear_error(tmp_path):
    with pytest.raises(EngineError, match="cannot start the engine"):
        EngineProcess(str(tmp_path / "no-python"), ["--version"])
    version = _wait(EngineProcess(sys.executable, ["--version"]))
    assert version.succeeded and version.output.startswith("tryon ")


def test_a_warm_engine_runs_task_after_task_in_one_process(tmp_path, avatar_dir, garment_dir):
    """``tryon task --serve``: tasks in one process, a failing one ends only itself, and a kill
    ends the engine with a reason."""
    engine = EngineServer(sys.executable, ["task", "--serve", "--device", "cpu",
                                           "--parent", str(os.getpid())])

    def drape(key: str) -> PlannedTask:
        return PlannedTask(key, "drape", {"avatar": {"path": str(avatar_dir)},
                                          "garment": {"path": str(garment_dir)}})

    try:
        logs = [[], [], []]
        first = engine.serve({"task": drape("first").to_json(), "out": str(tmp_path)},
                             logs[0].append)
        bad = PlannedTask("bad", "garment", {"kind": "tshirt", "size": "XXXL",
                                             "fabric": "cotton"})
        refused = engine.serve({"task": bad.to_json(), "out": str(tmp_path)}, logs[1].append)
        second = engine.serve({"task": drape("second").to_json(), "out": str(tmp_path)},
                              logs[2].append)
        assert first.ok and second.ok and engine.alive, (first, second)
        assert not refused.ok and refused.bad_input
        assert refused.error.startswith("unknown size 'XXXL' for tshirt")
        assert not (tmp_path / "garments" / "bad").exists()
        pids = {line.split(" on pid ")[1].strip() for log in logs for line in log
                if " on pid " in line}
        assert len(pids) == 1 and logs[2][-1].strip() == "done"
        for key in ("first", "second"):
            assert (tmp_path / "drapes" / key / "draped.glb").is_file()

        def kill_mid_drape():
            while not (engine.stage == "drape" and 0.0 < engine.fraction < 1.0):
                time.sleep(0.01)
            engine.kill()

        threading.Thread(target=kill_mid_drape, daemon=True).start()
        killed = engine.serve({"task": drape("third").to_json(), "out": str(tmp_path)})
        assert not killed.ok and killed.error == "engine process ended: killed by SIGKILL"
        assert not engine.alive and not (tmp_path / "drapes" / "third").exists()
    finally:
        engine.kill()
