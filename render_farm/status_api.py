"""The farm's status as JSON over HTTP, for dashboards and the storefront: jobs with their tasks
and progress, workers with their last heartbeat, and each task's attempts with their logs.

    GET /v1/farm/status                       every job and worker
    GET /v1/farm/jobs/<job>                   one job
    GET /v1/farm/jobs/<job>/tasks/<key>       a task's attempts, logs included
"""
from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, jsonify

from render_farm.farm_status import snapshot
from render_farm.store import JobStore

farm = Blueprint("farm", __name__, url_prefix="/v1/farm")


def create_app(store_url: str) -> Flask:
    """The status app on the job store at ``store_url``."""
    app = Flask(__name__)
    app.config["FARM_STORE"] = JobStore(store_url)
    app.register_blueprint(farm)
    app.register_error_handler(404, lambda error: (jsonify(error=error.description), 404))
    return app


def _store() -> JobStore:
    return current_app.config["FARM_STORE"]


@farm.get("/status")
def status():
    return jsonify(snapshot(_store()))


@farm.get("/jobs/<job_id>")
def job(job_id: str):
    found = snapshot(_store(), job_id)
    if not found["jobs"]:
        abort(404, description=f"no job {job_id}")
    return jsonify(found["jobs"][0])


@farm.get("/jobs/<job_id>/tasks/<key>")
def task(job_id: str, key: str):
    attempts = _store().attempts(job_id, key)
    if not attempts:
        abort(404, description=f"no attempt of task {key} in job {job_id}")
    return jsonify({"job": job_id, "task": key, "attempts": attempts})
