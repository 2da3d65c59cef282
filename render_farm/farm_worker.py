"""A farm worker: a Celery worker that runs one task at a time in a warm engine process.

For every message (``render_farm.farm_app``) it takes the next ready task of that queue from
the job store, runs it in its engine (``tryon task --serve``, ``render_farm.task_child``, started
by the engine-process runner when the worker starts, so the libraries and the body model are
loaded before the first task and stay loaded: its output is the attempt's log, and it dies with
the worker; ``cold``: a process of its own per task instead, as before engines were kept warm),
records the outcome and announces the tasks that became ready. A task that kills its engine,
or must be stopped at once, ends it: the next task starts a fresh one. A thread beside it sends heartbeats with the running task's progress, stops a
task whose job was cancelled, takes back the tasks of workers that stopped sending heartbeats
(removing their half-written staging folders), and re-announces ready tasks the broker has no
message for. Run one worker per GPU (``gpu``: it sees only that GPU) or per group of CPU cores.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from neural.errors import InputError
from neural.files import STAGING_TAG_VARIABLE, staging_prefix
from render_farm.engine_process import EngineProcess, EngineServer, KeptEngine
from render_farm.farm_app import BROKER_ERRORS, QUEUES, TAKE_TASK, announce, backlog, make_app
from render_farm.plan import PlannedTask
from render_farm.processes import is_running, process_identity, this_host
from render_farm.store import LOG_LIMIT, JobStore, Reclaimed

HEARTBEAT_S = 2.0
LOST_AFTER_S = 30.0  # a worker silent this long is taken for dead
log = logging.getLogger("tryon.farm")


@dataclass
class WorkerSettings:
    """How a worker runs. ``gpu``: the GPU it owns (its only visible one, and device cuda);
    ``cpus``: the CPU cores it and its tasks run on (default: all); ``threads``: CPU threads
    per task (0: one per core it runs on); ``cold``: each task in a fresh process."""

    store: str
    broker: str
    name: str = ""
    queues: list[str] = field(default_factory=lambda: list(QUEUES))
    device: str = "auto"
    gpu: int | None = None
    cpus: list[int] | None = None
    threads: int = 0
    cold: bool = False
    heartbeat_s: float = HEARTBEAT_S
    lost_after_s: float = LOST_AFTER_S

    def __post_init__(self):
        unknown = set(self.queues) - set(QUEUES)
        if unknown or not self.queues:
            raise InputError(f"unknown queue(s) {sorted(unknown)}: choose from {', '.join(QUEUES)}")
        if self.cpus is not None:
            missing = set(self.cpus) - os.sched_getaffinity(0)
            if missing or not self.cpus:
                raise InputError(f"no CPU core(s) {sorted(missing)} here: this process may use "
                                 f"{sorted(os.sched_getaffinity(0))}")
            self.threads = self.threads or len(self.cpus)
        if self.gpu is not None:
            self.device = "cuda"
        if not self.name:
            where = f"gpu{self.gpu}" if self.gpu is not None else "cpu"
            self.name = f"{this_host()}-{where}"


@dataclass
class _Running:
    attempt_id: int
    process: EngineProcess | EngineServer

    @property
    def progress(self) -> float:
        return self.process.fraction


class FarmWorker:
    def __init__(self, settings: WorkerSettings):
        self.settings = settings
        self.store = JobStore(settings.store)
        self.app = make_app(settings.broker)
        self.app.task(name=TAKE_TASK)(self.take)
        self._running: _Running | None = None
        self._engine = KeptEngine(
            sys.executable, ["task", "--serve", *self._engine_args()], env=self._engine_env(),
            on_ready=lambda seconds: log.info("%s: engine ready in %.1f s", settings.name,
                                              seconds))
        self._stop = threading.Event()

    def start(self) -> None:
        """Serve until shut down (SIGTERM or Ctrl-C: finish the running task first); a clean
        stop frees the name at once."""
        settings = self.settings
        self._check_name_free()
        if settings.gpu is not None:
            os.environ["CUDA_VISIBLE_DEVICES"] = str(settings.gpu)
        if settings.cpus is not None:
            os.sched_setaffinity(0, settings.cpus)  # its task processes inherit it
        self.store.register_worker(settings.name, settings.queues, this_host(),
                                   process_identity())
        self._give_back(self.store.reclaim_lost(settings.lost_after_s, worker=settings.name))
        beat = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        beat.start()
        if not settings.cold:
            self._engine.engine()  # warms up while Celery starts
        try:
            self.app.worker_main(["worker", "--pool=solo", f"--hostname=tryon@{settings.name}",
                                  f"--queues={','.join(settings.queues)}", "--without-gossip",
                                  "--without-mingle", "--loglevel=INFO"])
        finally:
            self._stop.set()
            beat.join()
            self._engine.close()
            self.store.worker_stopped(settings.name)

    def _check_name_free(self) -> None:
        """Refuse to serve under a name that a live process holds: one that sent a heartbeat
        within ``lost_after_s`` and did not stop cleanly, unless it ran on this host and its
        process is gone (killed, or the machine restarted)."""
        name, seen = self.settings.name, self.store.worker_seen(self.settings.name)
        if seen is None or seen.stopped:
            return
        silent_s = time.time() - seen.last_heartbeat
        if silent_s >= self.settings.lost_after_s:
            return
        if seen.host == this_host() and seen.process and not is_running(seen.process):
            log.warning("%s: its last process (%s) is gone: taking over", name, seen.process)
            return
        where = "here" if seen.host == this_host() else f"on {seen.host or 'another host'}"
        raise InputError(f"a worker named {name} is running {where} (heartbeat "
                         f"{silent_s:.0f} s ago): give this one another --name")

    def take(self, queue: str) -> dict | None:
        """The Celery task: run the next ready task of ``queue``, if any is left for us."""
        claim = self.store.claim_next(queue, self.settings.name)
        if claim is None:
            return None
        started = time.perf_counter()
        log.info("%s: %s %s", self.settings.name, claim.task.stage, claim.task.label)
        if claim.task.folder(claim.out_dir).is_dir():  # done before, by this job or another
            ok, error, output = True, None, "already done\n"
        else:
            ok, error, output = self._run(claim.out_dir, claim.task.to_json(), claim.attempt_id)
        state, ready = self.store.finish_attempt(claim.attempt_id, ok, error, output)
        seconds = time.perf_counter() - started
        log.info("%s: %s %s: %s in %.1f s%s", self.settings.name, claim.task.stage,
                 claim.task.label, state, seconds, f" ({error})" if error else "")
        try:
            announce(self.app, ready)
        except BROKER_ERRORS as problem:  # the sweep announces them once the broker is back
            log.warning("could not announce %d ready task(s): %s", len(ready), problem)
        return {"job": claim.job_id, "task": claim.task.key, "stage": claim.task.stage,
                "label": claim.task.label, "state": state, "seconds": round(seconds, 2)}

    def _run(self, out_dir: str, spec: dict, attempt_id: int) -> tuple[bool, str | None, str]:
        """Run a task in the worker's warm engine (or, ``cold``, a process of its own: ``tryon
        task``); (succeeded, error line, log)."""
        with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
            writing = threading.Lock()  # stdout and stderr are read by two threads

            def log(line: str) -> None:
                with writing:
                    output.write(line)

            tag = _staging_tag(attempt_id)
            try:
                if self.settings.cold:
                    ok, error = self._run_cold(out_dir, spec, attempt_id, tag, log)
                else:
                    engine = self._engine.engine()
                    self._running = _Running(attempt_id, engine)
                    served = engine.serve({"task": spec, "out": out_dir, "tag": tag}, log)
                    ok, error = served.ok, served.error
            finally:
                self._running = None
                _remove_staging(PlannedTask.from_json(spec).folder(out_dir), attempt_id)
                if not self.settings.cold and not self._stop.is_set():
                    self._engine.engine()  # a fresh one warming up, if the task ended this one
            output.seek(max(0, output.tell() - LOG_LIMIT))
            return ok, error, output.read()

    def _run_cold(self, out_dir: str, spec: dict, attempt_id: int, tag: str,
                  log) -> tuple[bool, str | None]:
        """The task in a process of its own (``tryon task --out``); (succeeded, error line)."""
        args = ["task", "--out", out_dir, *self._engine_args()]
        process = EngineProcess(sys.executable, args, stdin=json.dumps(spec),
                                env=self._engine_env() | {STAGING_TAG_VARIABLE: tag}, log=log)
        self._running = _Running(attempt_id, process)
        process.wait()
        code = process.returncode
        if code == 0:
            return True, None
        if code < 0:
            return False, f"task process ended: killed by {signal.Signals(-code).name}"
        return False, process.error

    def _engine_args(self) -> list[str]:
        settings = self.settings
        return ["--device", settings.device, "--threads", str(settings.threads),
                "--parent", str(os.getpid())]

    def _engine_env(self) -> dict[str, str]:
        """Its threads, and its broker (where uploaded photos wait, ``photo_drop``)."""
        return {"TRYON_BROKER": self.settings.broker} | (
            {"OMP_NUM_THREADS": str(self.settings.threads)} if self.settings.threads else {})

    def _beat(self) -> None:
        """Heartbeats and sweeps until the worker stops; a store or broker that is away for a
        while is waited for."""
        while not self._stop.wait(self.settings.heartbeat_s):
            try:
                running = self._running
                keep = self.store.heartbeat(
                    self.settings.name, self.settings.queues,
                    (running.attempt_id, running.progress) if running else None)
                if running is not None and not keep:
                    log.info("%s: job cancelled or task taken back: stopping it",
                             self.settings.name)
                    running.process.kill()
                self._give_back(self.store.reclaim_lost(self.settings.lost_after_s))
                self._top_up()
            except Exception as problem:  # noqa: BLE001 - keep beating whatever happened
                log.warning("heartbeat: %s", problem)

    def _give_back(self, reclaimed: list[Reclaimed]) -> None:
        """Remove lost attempts' staging folders and announce their tasks again."""
        for item in reclaimed:
            _remove_staging(item.task.folder(item.out_dir), item.attempt_id)
            log.warning("%s %s was lost with its worker: %s", item.task.stage, item.task.label,
                        "ready again" if item.state == "ready" else item.state)
        announce(self.app, [item.task.queue for item in reclaimed if item.state == "ready"])

    def _top_up(self) -> None:
        """Announce the ready tasks that the broker holds no message for (lost with a broker
        that restarted without its data, or dropped by a blocklisted worker)."""
        for queue, ready in self.store.ready_counts().items():
            missing = ready - backlog(self.app, queue)
            if missing > 0:
                announce(self.app, [queue] * missing)


def _staging_tag(attempt_id: int) -> str:
    return f"attempt{attempt_id}"


def _remove_staging(folder: Path, attempt_id: int) -> None:
    """Remove what an attempt that ended without finishing its output left half-written: its
    staging folders and the folders of frames a render writes beside them (``.<staging>.partial``,
    ``addon.scene.look.start_frames``)."""
    prefix = staging_prefix(folder, _staging_tag(attempt_id))
    for pattern in (prefix + "*", "." + prefix + "*"):
        for staging in folder.parent.glob(pattern):
            shutil.rmtree(staging, ignore_errors=True)
