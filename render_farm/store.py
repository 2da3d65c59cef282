"""The farm's job store, in SQL (SQLite by default, PostgreSQL by URL) through SQLAlchemy: jobs,
their planned tasks and the state of each, every attempt with its worker, log and timings,
workers' heartbeats, and which workers a job no longer trusts.

Task states: waiting (for the tasks it needs), ready, running, done, failed (out of tries),
skipped (something it needs failed), cancelled. A failed attempt puts its task back to ready
until ``MAX_TRIES``; a worker that fails ``BLOCK_AFTER`` attempts of one job is blocklisted for
that job (as Flamenco does). Times are UTC seconds since the epoch.
"""
from __future__ import annotations

import time
import uuid
from collections import Counter

from sqlalchemy import (JSON, Float, ForeignKey, Integer, String, Text, create_engine, func,
                        select, update)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from render_farm.plan import JobPlan, PlannedTask

MAX_TRIES = 3  # attempts of one task before it fails for good
BLOCK_AFTER = 2  # failed attempts of one job's tasks after which a worker is blocklisted
FINISHED = ("done", "failed", "skipped", "cancelled")


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
    ready_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AttemptRow(_Base):
    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(32))
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16), default="running")  # running, ok, failed
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    log: Mapped[str] = mapped_column(Text, default="")


class BlockRow(_Base):
    __tablename__ = "blocklist"
    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker: Mapped[str] = mapped_column(String(200), primary_key=True)


class WorkerRow(_Base):
    __tablename__ = "workers"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    queues: Mapped[str] = mapped_column(String(100))
    last_heartbeat: Mapped[float] = mapped_column(Float)


class JobStore:
    """The store at ``url`` (``sqlite:///path`` or ``postgresql://...``); tables are made on
    first use."""

    def __init__(self, url: str):
        self.engine = create_engine(url)
        _Base.metadata.create_all(self.engine)

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
        query = (select(TaskRow.job_id, TaskRow.spec).join(JobRow)
                 .where(TaskRow.state == "ready", JobRow.state == "active")
                 .order_by(JobRow.priority.desc(), JobRow.created_at, TaskRow.order).limit(limit))
        with Session(self.engine) as session:
            return [(job_id, PlannedTask.from_json(spec))
                    for job_id, spec in session.execute(query)]

    def start_attempt(self, job_id: str, key: str, worker: str) -> int | None:
        """Mark the task running on ``worker`` and open an attempt; None when the task is not
        ready any more (another worker took it, or the job was cancelled) or the worker is
        blocklisted for the job."""
        now = time.time()
        with Session(self.engine) as session, session.begin():
            if session.get(BlockRow, (job_id, worker)) is not None:
                return None
            taken = session.execute(
                update(TaskRow).where(TaskRow.job_id == job_id, TaskRow.key == key,
                                      TaskRow.state == "ready")
                .values(state="running", started_at=now, worker=worker,
                        tries=TaskRow.tries + 1))
            if taken.rowcount != 1:
                return None
            attempt = AttemptRow(job_id=job_id, key=key, worker=worker, started_at=now)
            session.add(attempt)
            session.flush()
            return attempt.id

    def finish_attempt(self, attempt_id: int, ok: bool, error: str | None = None,
                       log: str = "") -> str:
        """Close an attempt. On success the task is done and the tasks waiting on it that now
        have all they need become ready; on failure the task is ready again, or failed once
        it has had ``MAX_TRIES`` (its dependents skipped), and the worker may be blocklisted.
        Returns the task's new state."""
        now = time.time()
        with Session(self.engine) as session, session.begin():
            attempt = session.get(AttemptRow, attempt_id)
            attempt.finished_at, attempt.log = now, log
            attempt.outcome, attempt.error = ("ok", None) if ok else ("failed", error)
            task = session.get(TaskRow, (attempt.job_id, attempt.key))
            if task.state != "running":  # cancelled meanwhile
                return task.state
            task.finished_at = now
            if ok:
                task.state = "done"
                self._release_dependents(session, task, now)
            else:
                task.state = "failed" if task.tries >= MAX_TRIES else "ready"
                task.ready_at = now
                if task.state == "failed":
                    self._skip_dependents(session, task)
                self._count_failure(session, attempt.job_id, attempt.worker)
            self._close_job_if_finished(session, attempt.job_id, now)
            return task.state

    def cancel_job(self, job_id: str) -> None:
        """Cancel every unfinished task of the job (running ones finish, and are dropped)."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(TaskRow).where(TaskRow.job_id == job_id,
                                                  TaskRow.state.not_in(FINISHED))
                            .values(state="cancelled"))
            session.execute(update(JobRow).where(JobRow.id == job_id)
                            .values(state="cancelled", finished_at=time.time()))

    def heartbeat(self, worker: str, queues: list[str]) -> None:
        with Session(self.engine) as session, session.begin():
            session.merge(WorkerRow(name=worker, queues=",".join(queues),
                                    last_heartbeat=time.time()))

    def status(self, job_id: str | None = None) -> dict:
        """Jobs (one, or all) with task counts by state and their tasks; workers with their
        last heartbeat."""
        with Session(self.engine) as session:
            jobs = session.scalars(select(JobRow).where(JobRow.id == job_id) if job_id
                                   else select(JobRow).order_by(JobRow.created_at)).all()
            result = {"jobs": [], "workers": [
                {"name": w.name, "queues": w.queues.split(","), "last_heartbeat": w.last_heartbeat}
                for w in session.scalars(select(WorkerRow))]}
            for job in jobs:
                tasks = session.scalars(select(TaskRow).where(TaskRow.job_id == job.id)
                                        .order_by(TaskRow.order)).all()
                counts = dict(Counter(t.state for t in tasks))
                result["jobs"].append({
                    "id": job.id, "name": job.name, "state": job.state, "priority": job.priority,
                    "out_dir": job.out_dir, "counts": counts,
                    "tasks": [{"key": t.key, "stage": t.stage, "label": t.label, "state": t.state,
                               "tries": t.tries, "worker": t.worker} for t in tasks]})
            return result

    def attempts(self, job_id: str, key: str) -> list[dict]:
        """Every attempt of a task, oldest first, with its log."""
        with Session(self.engine) as session:
            rows = session.scalars(select(AttemptRow).where(AttemptRow.job_id == job_id,
                                                            AttemptRow.key == key)
                                   .order_by(AttemptRow.id)).all()
            return [{"worker": a.worker, "outcome": a.outcome, "error": a.error, "log": a.log,
                     "seconds": None if a.finished_at is None else a.finished_at - a.started_at}
                    for a in rows]

    @staticmethod
    def _release_dependents(session: Session, done: TaskRow, now: float) -> None:
        states = dict(session.execute(select(TaskRow.key, TaskRow.state)
                                      .where(TaskRow.job_id == done.job_id)).all())
        for task in session.scalars(select(TaskRow).where(TaskRow.job_id == done.job_id,
                                                          TaskRow.state == "waiting")):
            if done.key in task.spec["needs"] and all(
                    states[need] == "done" for need in task.spec["needs"]):
                task.state, task.ready_at = "ready", now

    @staticmethod
    def _skip_dependents(session: Session, failed: TaskRow) -> None:
        """Skip every task that needs ``failed``, directly or through others."""
        lost, changed = {failed.key}, True
        while changed:
            changed = False
            for task in session.scalars(select(TaskRow).where(TaskRow.job_id == failed.job_id,
                                                              TaskRow.state == "waiting")):
                if lost & set(task.spec["needs"]):
                    task.state, changed = "skipped", True
                    lost.add(task.key)
            session.flush()

    @staticmethod
    def _count_failure(session: Session, job_id: str, worker: str) -> None:
        failures = session.scalar(select(func.count()).select_from(AttemptRow).where(
            AttemptRow.job_id == job_id, AttemptRow.worker == worker,
            AttemptRow.outcome == "failed"))
        if failures >= BLOCK_AFTER and session.get(BlockRow, (job_id, worker)) is None:
            session.add(BlockRow(job_id=job_id, worker=worker))

    @staticmethod
    def _close_job_if_finished(session: Session, job_id: str, now: float) -> None:
        states = set(session.scalars(select(TaskRow.state).where(TaskRow.job_id == job_id)))
        if states <= set(FINISHED):
            job = session.get(JobRow, job_id)
            job.state = "done" if states == {"done"} else "failed"
            job.finished_at = now

