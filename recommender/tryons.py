"""Try-ons for the storefront: an avatar in a catalog garment, in a size or in the size its
chart gives the avatar ("advise"), run as a ``render_farm`` job. A preview of the body comes at
once; the drape and the Cycles renders follow, from the farm's workers when a broker is
configured, else from one runner thread in this server process, which runs ``tryon run`` in a
process of its own.

Files, under ``<data>/tryons/<storefront>/``: ``<tryon>/job.yaml`` and ``preview.png``, and
``out/``, the jobs' shared output folder (a drape made for one try-on serves the next).
"""
from __future__ import annotations

import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from neural.errors import InputError
from neural.garments.garment_file import SIZE_CHARTS
from neural.garments.size_charts import fitted_size, load_chart
from recommender.api.config import Settings
from recommender.catalog import Item
from recommender.storefront_data import StorefrontData
from recommender.tryon_preview import PreviewRenderer
from render_farm.plan import plan_job

VIEWS = ("front", "back")
PROGRESS_EVERY_S = 0.5  # how often a run here records its progress


class TryOnService:
    def __init__(self, settings: Settings, data: StorefrontData):
        self.settings, self.data = settings, data
        self.runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tryon")
        # previews are rendered in a thread of their own, with one renderer made at start
        self.previewer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preview")
        self.preview_renderer = self.previewer.submit(PreviewRenderer)

    def folder(self, storefront: str, tryon_id: str | None = None) -> Path:
        root = self.settings.data_dir / "tryons" / storefront
        return root / tryon_id if tryon_id else root / "out"

    def start(self, storefront: str, avatar_id: str, avatar: dict, avatar_dir: Path,
              item: Item, size: str) -> str:
        """Plan and queue a try-on; returns its id once its preview exists."""
        advised = size == "advise"
        chart = SIZE_CHARTS[item.kind]
        if advised:
            size = fitted_size(chart, avatar["measurements"])
        elif size.partition("-")[0] not in load_chart(chart) and size not in load_chart(chart):
            raise InputError(f"no size {size!r} for {item.id}: choose one of "
                             f"{', '.join(item.sizes)} or 'advise'")
        tryon_id = uuid.uuid4().hex[:16]
        folder = self.folder(storefront, tryon_id)
        folder.mkdir(parents=True)
        job_file = folder / "job.yaml"
        job_file.write_text(yaml.safe_dump({
            "avatars": [{"avatar": str(avatar_dir)}],
            "garments": [{"kind": item.kind, "sizes": [size], "fabric": item.fabric}],
            "render": {"views": list(VIEWS), "samples": self.settings.render_samples,
                       "resolution": list(self.settings.render_resolution)},
            "output": str(self.folder(storefront))}))
        renderer = self.preview_renderer.result()
        self.previewer.submit(renderer.render, avatar_dir / "avatar.glb",
                              folder / "preview.png").result()
        farm_job = None
        if self.settings.broker:
            from render_farm.farm_client import submit

            farm_job = submit(job_file, self.settings.broker, self.settings.farm_store,
                              name=f"tryon {tryon_id}")
        self.data.add_tryon(storefront, tryon_id, avatar_id, item.id, size, advised, farm_job)
        if farm_job is None:
            self.runner.submit(self._run_here, storefront, tryon_id, job_file)
        return tryon_id

    def status(self, storefront: str, tryon_id: str) -> dict | None:
        """The try-on's state and progress; once done, its files and fit."""
        record = self.data.tryon(storefront, tryon_id)
        if record is None:
            return None
        if record["farm_job"]:
            record |= self._farm_state(record["farm_job"])
        files = ["preview.png"]
        result = {"id": tryon_id, "avatar": record["avatar_id"], "garment": record["item"],
                  "size": record["size"], "size_advised": record["advised"],
                  "state": record["state"], "progress": round(record["progress"], 3),
                  "error": record["error"]}
        if record["state"] == "done":
            drape, render = self._task_folders(storefront, tryon_id)
            files += [f"{view}.png" for view in VIEWS] + ["draped.glb"]
            result["fit"] = _fit_summary(drape / "fit.json", record)
            if record["fit_score"] is None:
                self.data.update_tryon(tryon_id, fit_score=result["fit"]["score"])
        result["files"] = {name: f"/v1/tryons/{tryon_id}/files/{name}" for name in files}
        return result

    def file(self, storefront: str, tryon_id: str, name: str) -> Path | None:
        """A try-on's file by name (preview.png, <view>.png, draped.glb), if it exists."""
        if self.data.tryon(storefront, tryon_id) is None:
            return None
        if name == "preview.png":
            path = self.folder(storefront, tryon_id) / name
        elif name in {f"{view}.png" for view in VIEWS} | {"draped.glb"}:
            drape, render = self._task_folders(storefront, tryon_id)
            path = (drape if name == "draped.glb" else render) / name
        else:
            return None
        return path if path.is_file() else None

    def erase(self, storefront: str, avatar_id: str) -> None:
        """Remove the files of the avatar's try-ons: their folders, drapes and renders (the
        garments, which belong to no one, stay)."""
        import shutil

        for tryon_id in self.data.tryons_of(storefront, avatar_id):
            job_file = self.folder(storefront, tryon_id) / "job.yaml"
            if job_file.is_file():
                for folder in self._task_folders(storefront, tryon_id):
                    shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(self.folder(storefront, tryon_id), ignore_errors=True)

    def _task_folders(self, storefront: str, tryon_id: str) -> tuple[Path, Path]:
        """The try-on's drape and render folders."""
        plan = plan_job(self.folder(storefront, tryon_id) / "job.yaml")
        out = self.folder(storefront)
        folders = {task.stage: task.folder(out) for task in plan.tasks}
        return folders["drape"], folders["render"]

    def _run_here(self, storefront: str, tryon_id: str, job_file: Path) -> None:
        """Run the job in a ``tryon run`` process of its own (Blender's bpy may only run on a
        process's main thread, and a crash there must not take the server down), following
        its progress."""
        from addon.engine import EngineTask

        self.data.update_tryon(tryon_id, state="running")
        task = EngineTask(sys.executable, ["run", str(job_file), "--device",
                                           self.settings.device])
        while not task.finished:
            time.sleep(PROGRESS_EVERY_S)
            self.data.update_tryon(tryon_id, progress=task.fraction)
        if not task.succeeded:
            self.data.update_tryon(tryon_id, state="failed", error=(task.error or "")[:500])
            return
        self.data.update_tryon(tryon_id, state="done", progress=1.0)
        self.status(storefront, tryon_id)  # records the drape's fit score

    def _farm_state(self, job_id: str) -> dict:
        from render_farm.farm_status import snapshot
        from render_farm.store import JobStore

        job = snapshot(JobStore(self.settings.farm_store), job_id)["jobs"][0]
        state = {"active": "running", "done": "done"}.get(job["state"], "failed")
        return {"state": state, "progress": job["progress"],
                "error": None if state != "failed" else f"farm job {job['state']}"}


def _fit_summary(fit_json: Path, record: dict) -> dict:
    """The drape's quality gates and, per sizing girth, its ease and verdict."""
    import json

    from neural.drape.size_advice import judge

    fit = json.loads(fit_json.read_text())
    kind = fit.get("garment", record["item"])
    chart = SIZE_CHARTS.get(kind)
    regions = judge(fit["regions"], chart, record["size"].partition("-")[0]) if chart else {}
    return {"gates": {name: gate["pass"] for name, gate in fit["gates"].items()},
            "regions": regions, "score": drape_fit_score(regions)}


def drape_fit_score(regions: dict[str, dict]) -> float:
    """0-1 from a drape's verdicts: a region that fits counts 1, a loose one 0.5, a tight one
    0 (regions the garment does not cover do not count)."""
    points = {"fits": 1.0, "loose": 0.5, "tight": 0.0}
    covered = [points[r["verdict"]] for r in regions.values() if r["verdict"] in points]
    return sum(covered) / len(covered) if covered else 0.5

