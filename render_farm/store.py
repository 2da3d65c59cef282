"""The farm's job store, in SQL (SQLite by default, PostgreSQL by URL) through SQLAlchemy: jobs,
their planned tasks and the state of each, every attempt with its worker, log and timings,
workers' heartbeats, and which workers a job no longer trusts. The store decides which task
runs next; the broker only carries word that a queue has work (``render_farm.farm_app``).

Task states: waiting (for the tasks it needs), ready, running, done, failed (out of tries),
skipped (something it needs failed), cancelled. A failed attempt puts its task back to ready
until ``MAX_TRIES``; a worker that fails ``BLOCK_AFTER`` attempts of one job is blocklisted for
that job (as Flamenco does). An attempt whose worker stops sending heartbeats is lost and its
task ready again, for any worker. Times are UTC seconds since the epoch.
"""
from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, func, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from render_farm.plan import JobPlan, PlannedTask
from render_farm.sql import Schema, open_engine

MAX_TRIES = 3  # attempts of one task before it fails for good
BLOCK_AFTER = 2  # failed attempts of one job's tasks after which a worker is blocklisted
FINISHED = ("done", "failed", "skipped", "cancelled")
LOST = ("failed", "skipped", "cancelled")
LOG_LIMIT = 200_000  # characters of an attempt's log kept (its end)
SCHEMA = Schema("job store", Path(__file__).parent / "migrations" / "job_store",
                "alembic_version_job_store", "jobs")


class _Base(DeclarativeBase):
    pass


class JobRow(_Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    out_dir: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class TaskRow(_Base):
    __tablename__ = "tasks"
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    order: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(Text)
    queue: Mapped[str] = mapped_column(String(16))
    spec: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0-1 while running
    ready_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AttemptRow(_Base):
    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(32), index=True)
    key: Mapped[str] = mapped_column(String(32))
    worker: Mapped[str] = mapped_column(String(200))
    ready_at: Mapped[float] = mapped_column(Float)  # when its task last became ready
    started_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16), default="running")  # running, ok, failed, lost
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    log: Mapped[str] = mapped_column(Text, default="")


class BlockRow(_Base):
    __tablename__ = "blocklist"
    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker: Mapped[str] = mapped_column(String(200), primary_key=True)


class WorkerRow(_Base):
    """A worker process under its name: live heartbeats only, no history (attempts keep the
    worker's name as text)."""

    __tablename__ = "workers"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    queues: Mapped[str] = mapped_column(String(100))
    last_heartbeat: Mapped[float] = mapped_column(Float)
    host: Mapped[str] = mapped_column(String(200), default="")
    process: Mapped[str] = mapped_column(String(40), default="")  # processes.process_identity
    stopped_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # a clean stop


@dataclass(frozen=True)
class WorkerSeen:
    """What the store last heard of a worker name: its process, and whether it stopped
    cleanly."""

    last_heartbeat: float
    host: str
    process: str
    stopped: bool


@dataclass(frozen=True)
class Claim:
    """A task a worker has taken: run it, then close ``attempt_id``."""

    job_id: str
    out_dir: str
    task: PlannedTask
    attempt_id: int


@dataclass(frozen=True)
class Reclaimed:
    """A lost attempt's task, ready again (or failed, out of tries)."""

    out_dir: str
    task: PlannedTask
    state: str
    attempt_id: int


class JobStore:
    """The store at ``url`` (``sqlite:///path`` or ``postgresql://...``); tables are made on
    first use (``SCHEMA``'s newest revision; an older store needs ``tryon db upgrade``). Safe to
    share between processes and machines (SQLite: processes of one
    machine)."""

    def __init__(self, url: str):
        self.engine = open_engine(url, SCHEMA)

    def add_job(self, plan: JobPlan, out_dir: str, name: str) -> str:
        """Record a planned job; its tasks that need nothing are ready. Returns the job's id."""
        job_id, now = uuid.uuid4().hex[:12], time.time()
        with Session(self.engine) as session, session.begin():
            session.add(JobRow(id=job_id, name=name, out_dir=str(out_dir),
                               priority=plan.priority, created_at=now))
            for order, task in enumerate(plan.tasks):
                session.add(TaskRow(job_id=job_id, key=task.key, order=order, stage=task.stage,
                                    label=task.label, queue=task.queue, spec=task.to_json(),
                                    state="waiting" if task.needs else "ready",
                                    ready_at=None if task.needs else now))
        return job_id

    def ready_tasks(self, limit: int = 100) -> list[tuple[str, PlannedTask]]:
        """Ready tasks of active jobs, highest job priority first, then oldest job, plan order."""
        with Session(self.engine) as session:
            return [(row.job_id, PlannedTask.from_json(row.spec))
                    for row in session.scalars(_ready_query().limit(limit))]

    def ready_counts(self) -> dict[str, int]:
        """How many tasks of active jobs are ready, by queue."""
        query = (select(TaskRow.queue, func.count()).join(JobRow)
                 .where(TaskRow.state == "ready", JobRow.state == "active")
                 .group_by(TaskRow.queue))
        with Session(self.engine) as session:
            return dict(session.execute(query).all())

    def claim_next(self, queue: str, worker: str) -> Claim | None:
        """Start the first ready task of ``queue`` (``ready_tasks`` order) of a job that has not
        blocklisted ``worker``; None when there is none."""
        blocked = select(BlockRow.job_id).where(BlockRow.worker == worker)
        query = _ready_query().where(TaskRow.queue == queue, TaskRow.job_id.not_in(blocked))
        for _ in range(5):  # others may win the first candidates
            with Session(self.engine) as session:
                candidates = session.execute(
                    query.with_only_columns(TaskRow.job_id, TaskRow.key).limit(8)).all()
            if not candidates:
                return None
            for job_id, key in candidates:
                attempt_id = self.start_attempt(job_id, key, worker)
                if attempt_id is not None:
                    with Session(self.engine) as session:
                        row = session.get(TaskRow, (job_id, key))
                        return Claim(job_id, session.get(JobRow, job_id).out_dir,
                                     PlannedTask.from_json(row.spec), attempt_id)
        return None

    def start_attempt(self, job_id: str, key: str, worker: str) -> int | None:
        """Mark the task running on ``worker`` and open an attempt; None when the task is not
        ready any more (another worker took it, or the job was cancelled) or the worker is
        blocklisted for the job."""
        now = time.time()
        with Session(self.engine) as session, session.begin():
            if session.get(BlockRow, (job_id, worker)) is not None:
                return None
            ready_at = session.scalar(select(TaskRow.ready_at).where(
                TaskRow.job_id == job_id, TaskRow.key == key, TaskRow.state == "ready"))
            taken = session.execute(
                update(TaskRow).where(TaskRow.job_id == job_id, TaskRow.key == key,
                                      TaskRow.state == "ready")
                .values(state="running", started_at=now, worker=worker, progress=0.0,
                        tries=TaskRow.tries + 1))
            if taken.rowcount != 1:
                return None
            attempt = AttemptRow(job_id=job_id, key=key, worker=worker, started_at=now,
                                 ready_at=ready_at if ready_at is not None else now)
            session.add(attempt)
            session.flush()
            return attempt.id

    def finish_attempt(self, attempt_id: int, ok: bool, error: str | None = None,
                       log: str = "") -> tuple[str, list[str]]:
        """Close an attempt. On success the task is done and the tasks waiting on it that now
        have all they need become ready; on failure the task is ready again, or failed once
        it has had ``MAX_TRIES`` (its dependents skipped), and the worker may be blocklisted.
        Returns the task's new state and the queues of the tasks this made ready (itself
        included), one entry per task."""
        now = time.time()
        with Session(self.engine) as session, session.begin():
            attempt = session.get(AttemptRow, attempt_id)
            task = session.get(TaskRow, (attempt.job_id, attempt.key))
            if attempt.outcome == "lost":  # taken back meanwhile: the result comes too late
                return task.state, []
            attempt.finished_at, attempt.log = now, log[-LOG_LIMIT:]
            attempt.outcome, attempt.error = ("ok", None) if ok else ("failed", error)
            if task.state != "running":  # cancelled meanwhile
                return task.state, []
            task.finished_at = now
            if ok:
                task.state = "done"
            else:
                self._count_failure(session, attempt.job_id, attempt.worker)
                task.state = "failed" if task.tries >= MAX_TRIES else "ready"
                task.ready_at = now
            ready = [task.queue] if task.state == "ready" else []
            ready += self._settle(session, attempt.job_id, now)
            return task.state, ready

    def reclaim_lost(self, lost_after_s: float, worker: str | None = None) -> list[Reclaimed]:
        """Close as lost the running attempts of workers silent for ``lost_after_s`` seconds
        (or of ``worker`` whatever its heartbeat: it restarted); their tasks are ready again,
        or failed if out of tries."""
        now = time.time()
        silent = select(WorkerRow.name).where(WorkerRow.last_heartbeat < now - lost_after_s)
        query = select(AttemptRow).where(AttemptRow.outcome == "running")
        query = query.where(AttemptRow.worker == worker) if worker else query.where(
            AttemptRow.worker.in_(silent))
        reclaimed = []
        with Session(self.engine) as session, session.begin():
            for attempt in session.scalars(query):
                attempt.outcome, attempt.finished_at = "lost", now
                attempt.error = f"worker {attempt.worker} stopped (no heartbeat)"
                task = session.get(TaskRow, (attempt.job_id, attempt.key))
                if task.state != "running" or task.worker != attempt.worker:
                    continue
                task.state = "failed" if task.tries >= MAX_TRIES else "ready"
                task.ready_at = task.finished_at = now
                self._settle(session, attempt.job_id, now)
                reclaimed.append(Reclaimed(session.get(JobRow, attempt.job_id).out_dir,
                                           PlannedTask.from_json(task.spec), task.state,
                                           attempt.id))
        return reclaimed

    def cancel_job(self, job_id: str) -> bool:
        """Cancel every unfinished task of the job (running ones are stopped by their
        workers); False when there is no such job."""
        with Session(self.engine) as session, session.begin():
            if session.get(JobRow, job_id) is None:
                return False
            session.execute(update(TaskRow).where(TaskRow.job_id == job_id,
                                                  TaskRow.state.not_in(FINISHED))
                            .values(state="cancelled"))
            session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == "active")
                            .values(state="cancelled", finished_at=time.time()))
            return True

    def register_worker(self, worker: str, queues: list[str], host: str, process: str) -> None:
        """Record that the process ``process`` on ``host`` now serves as ``worker``."""
        with Session(self.engine) as session, session.begin():
            session.merge(WorkerRow(name=worker, queues=",".join(queues), host=host,
                                    process=process, last_heartbeat=time.time(),
                                    stopped_at=None))

    def heartbeat(self, worker: str, queues: list[str],
                  running: tuple[int, float] | None = None) -> bool:
        """Record that ``worker`` (serving ``queues``) is alive, and the progress (0-1) of
        the attempt it runs (``running``: attempt id, progress). False when that attempt's
        task runs no more (its job was cancelled, or it was taken back): stop it."""
        with Session(self.engine) as session, session.begin():
            row = session.get(WorkerRow, worker)
            if row is None:
                session.add(WorkerRow(name=worker, queues=",".join(queues),
                                      last_heartbeat=time.time()))
            else:
                row.queues, row.last_heartbeat, row.stopped_at = ",".join(queues), time.time(), None
            if running is None:
                return True
            attempt = session.get(AttemptRow, running[0])
            task = session.get(TaskRow, (attempt.job_id, attempt.key))
            if attempt.outcome != "running" or task.state != "running" or task.worker != worker:
                return False
            task.progress = running[1]
            return True

    def worker_stopped(self, worker: str) -> None:
        """Record a clean stop of ``worker``: its name is free at once."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(WorkerRow).where(WorkerRow.name == worker)
                            .values(stopped_at=time.time()))

    def worker_seen(self, worker: str) -> WorkerSeen | None:
        """The store's last word on ``worker``; None when it never ran."""
        with Session(self.engine) as session:
            row = session.get(WorkerRow, worker)
            return None if row is None else WorkerSeen(row.last_heartbeat, row.host or "",
                                                       row.process or "",
                                                       row.stopped_at is not None)

    def status(self, job_id: str | None = None) -> dict:
        """Jobs (one, or all) with task counts by state and their tasks; workers with their
        last heartbeat and the task they run."""
        with Session(self.engine) as session:
            jobs = session.scalars(select(JobRow).where(JobRow.id == job_id) if job_id
                                   else select(JobRow).order_by(JobRow.created_at)).all()
            running = {row.worker: f"{row.job_id}/{row.key}" for row in session.scalars(
                select(TaskRow).where(TaskRow.state == "running"))}
            result = {"jobs": [], "workers": [
                {"name": w.name, "queues": w.queues.split(","), "last_heartbeat": w.last_heartbeat,
                 "stopped": w.stopped_at is not None, "task": running.get(w.name)}
                for w in session.scalars(select(WorkerRow).order_by(WorkerRow.name))]}
            for job in jobs:
                tasks = session.scalars(select(TaskRow).where(TaskRow.job_id == job.id)
                                        .order_by(TaskRow.order)).all()
                result["jobs"].append({
                    "id": job.id, "name": job.name, "state": job.state, "priority": job.priority,
                    "out_dir": job.out_dir, "created_at": job.created_at,
                    "finished_at": job.finished_at,
                    "counts": dict(Counter(t.state for t in tasks)),
                    "tasks": [{"key": t.key, "stage": t.stage, "label": t.label, "state": t.state,
                               "tries": t.tries, "worker": t.worker,
                               "progress": 1.0 if t.state == "done" else t.progress,
                               "started_at": t.started_at, "finished_at": t.finished_at}
                              for t in tasks]})
            return result

    def attempts(self, job_id: str, key: str | None = None) -> list[dict]:
        """Every attempt of a task (or of the job), oldest first, with its log and timings."""
        query = select(AttemptRow).where(AttemptRow.job_id == job_id)
        if key is not None:
            query = query.where(AttemptRow.key == key)
        with Session(self.engine) as session:
            return [{"id": a.id, "key": a.key, "worker": a.worker, "outcome": a.outcome,
                     "error": a.error, "log": a.log, "ready_at": a.ready_at,
                     "started_at": a.started_at, "finished_at": a.finished_at,
                     "seconds": None if a.finished_at is None else a.finished_at - a.started_at}
                    for a in session.scalars(query.order_by(AttemptRow.id))]

    def blocklist(self, job_id: str) -> list[str]:
        with Session(self.engine) as session:
            return list(session.scalars(select(BlockRow.worker).where(BlockRow.job_id == job_id)))

    @staticmethod
    def _settle(session: Session, job_id: str, now: float) -> list[str]:
        """Bring the job's waiting tasks up to date with what they need: ready when all of it
        is done (a partial task: when all of it has finished and some is done), skipped when
        some of it is lost. Closes the job when every task has finished. Returns the queues
        of the tasks made ready."""
        session.flush()
        states = dict(session.execute(select(TaskRow.key, TaskRow.state)
                                      .where(TaskRow.job_id == job_id)).all())
        waiting = list(session.scalars(select(TaskRow).where(TaskRow.job_id == job_id,
                                                             TaskRow.state == "waiting")))
        ready, changed = [], True
        while changed:  # a skip can settle tasks after it
            changed = False
            for task in waiting:
                if task.state != "waiting":
                    continue
                needs = [states[key] for key in task.spec["needs"]]
                if all(state == "done" for state in needs):
                    task.state = "ready"
                elif task.spec.get("partial") and all(state in FINISHED for state in needs):
                    task.state = "ready" if "done" in needs else "skipped"
                elif not task.spec.get("partial") and any(state in LOST for state in needs):
                    task.state = "skipped"
                else:
                    continue
                states[task.key], changed = task.state, True
                if task.state == "ready":
                    task.ready_at = now
                    ready.append(task.queue)
        if set(states.values()) <= set(FINISHED):
            job = session.get(JobRow, job_id)
            if job.state == "active":
                job.state = "done" if set(states.values()) == {"done"} else "failed"
                job.finished_at = now
        return ready

    @staticmethod
    def _count_failure(session: Session, job_id: str, worker: str) -> None:
        session.flush()
        failures = session.scalar(select(func.count()).select_from(AttemptRow).where(
            AttemptRow.job_id == job_id, AttemptRow.worker == worker,
            AttemptRow.outcome == "failed"))
        if failures >= BLOCK_AFTER and session.get(BlockRow, (job_id, worker)) is None:
            session.add(BlockRow(job_id=job_id, worker=worker))


def _ready_query():
    return (select(TaskRow).join(JobRow)
            .where(TaskRow.state == "ready", JobRow.state == "active")
            .order_by(JobRow.priority.desc(), JobRow.created_at, TaskRow.order))
