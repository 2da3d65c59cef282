"""Submitting and cancelling farm jobs: what ``tryon farm submit|cancel`` and the storefront
call. A job goes into the job store and a message per ready task onto the broker; workers
(``render_farm.farm_worker``) do the rest."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from neural.errors import InputError
from render_farm.farm_app import BROKER_ERRORS, announce, make_app
from render_farm.plan import JobPlan, plan_job
from render_farm.store import JobStore

log = logging.getLogger("tryon.farm")


def store_url(url: str | None = None) -> str:
    """``url``, else $TRYON_STORE, else a SQLite file in the user's data folder (one machine;
    a farm of several machines shares a PostgreSQL URL)."""
    if url or os.environ.get("TRYON_STORE"):
        return url or os.environ["TRYON_STORE"]
    data = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "tryon"
    data.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data / 'farm.db'}"


def submit(job_file: str | os.PathLike, broker: str, store: str,
           out_dir: str | os.PathLike | None = None, name: str | None = None,
           priority: int | None = None) -> str:
    """Plan ``job_file`` into the store and announce its ready tasks; returns the job's id.
    ``out_dir`` (default: the job file's ``output:``) must be a folder every worker sees at
    the same path; ``priority`` overrides the job file's."""
    plan = plan_job(job_file)
    if priority is not None:
        plan.priority = priority
    return submit_plan(plan, broker, store, plan.out_dir(out_dir), name or Path(job_file).stem)


def submit_plan(plan: JobPlan, broker: str, store: str, out_dir: str | os.PathLike,
                name: str) -> str:
    """``submit`` for a plan made in code (the storefront's avatar fits); returns the job's
    id."""
    job_id = JobStore(store).add_job(plan, str(out_dir), name)
    try:
        announce(make_app(broker), [task.queue for task in plan.tasks if not task.needs])
    except BROKER_ERRORS as problem:
        log.warning("job %s is stored but the broker is unreachable (%s): workers announce "
                    "its tasks once it is back", job_id, problem)
    return job_id


def cancel(job_id: str, store: str) -> None:
    """Cancel the job's unfinished tasks; workers stop its running ones within a heartbeat."""
    if not JobStore(store).cancel_job(job_id):
        raise InputError(f"no job {job_id} in the farm's store")
