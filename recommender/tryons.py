"""Try-ons for the storefront: an avatar in a catalog garment, in a size or with size advice
("advise": the size its chart gives the avatar and the sizes either side of it are draped, and
the advice is the smallest of them that is tight nowhere, ``neural.drape.size_advice``), run as
a ``render_farm`` job. A preview comes at once: the garment on the body by its learned drape
(``preview/``: its garment folder and draped.glb), or the bare body where the garment's kind has
none; the physics drapes and the Cycles renders
follow, from the farm's workers when a broker is configured, else from one runner thread in this
server process, which runs the job's tasks in a warm engine process of its own. Reading a try-on's status
writes nothing: its outcome (state and the drape's fit score, which the recommenders learn from)
is recorded when it ends, by the runner, or for a farm job by a follower thread that watches the
farm's store (a starting server follows the farm try-ons left unsettled).

Files, under ``<data>/tryons/<storefront>/``: ``<tryon>/job.yaml``, ``preview.png`` and
``preview/``, and
``out/``, the jobs' shared output folder (a drape made for one try-on serves the next).
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from functools import lru_cache
from pathlib import Path

import yaml

from neural.drape.fit_metrics import drape_failure
from neural.errors import InputError
from neural.garments.garment_file import SIZE_CHARTS
from neural.garments.size_charts import fitted_size, load_chart, sizes_around, split_length
from recommender.api.config import Settings
from recommender.engines import runner_with_engine
from recommender.catalog import Item, catalog
from recommender.storefront_data import StorefrontData
from recommender.tryon_preview import PreviewRenderer
from render_farm.plan import plan_job
from render_farm.render_stage import failed_drape

VIEWS = ("front", "back")
SIZE_FILES = tuple(f"{view}.png" for view in VIEWS) + ("draped.glb", "fitmap.glb", "moving.glb")
# files made from a size's drape when first asked for, and the folder of the try-on keeping them
MADE_FILES = {"fitmap.glb": "fitmaps", "moving.glb": "moving"}
PROGRESS_EVERY_S = 0.5  # how often a run here records its progress
FOLLOW_EVERY_S = 2.0  # how often a follower looks at its farm job
FOLLOW_TRIES = 30  # reads of the farm's store that may fail in a row before a follower stops
log = logging.getLogger("tryon.api")


class TryOnService:
    def __init__(self, settings: Settings, data: StorefrontData):
        self.settings, self.data = settings, data
        self.runner, self.engine = runner_with_engine(
            settings, self, "tryon", settings.warm_engine and not settings.broker)
        # previews are rendered in a thread of their own, with one renderer made at start
        self.previewer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preview")
        self.preview_renderer = self.previewer.submit(PreviewRenderer)
        self.previewer.submit(_warm_preview)
        if settings.broker:
            for storefront, tryon_id, farm_job in data.unsettled_farm_tryons():
                self._follow(storefront, tryon_id, farm_job)

    def _preview(self, avatar_dir: Path, item: Item, size: str, folder: Path) -> Path:
        """preview.png: the garment in ``size`` on the avatar by its learned drape (under
        ``folder/preview``: its garment and draped.glb), or the bare body where its kind has
        none; run in the preview thread."""
        from neural.drape.drape_garment import learned_preview
        from neural.stages import garment_stage

        garment, draped = folder / "preview" / "garment", folder / "preview" / "draped.glb"
        garment_stage(item.kind, size, item.fabric, garment, item.color)
        if not learned_preview(avatar_dir, garment, draped):
            draped = avatar_dir / "avatar.glb"
        return self.preview_renderer.result().render(draped, folder / "preview.png")

    def folder(self, storefront: str, tryon_id: str | None = None) -> Path:
        root = self.settings.data_dir / "tryons" / storefront
        return root / tryon_id if tryon_id else root / "out"

    def start(self, storefront: str, avatar_id: str, avatar: dict, avatar_dir: Path,
              item: Item, size: str, under: list[tuple[Item, str]] = ()) -> str:
        """Plan and queue a try-on of ``item`` in ``size`` (or "advise"), worn over ``under``
        (an outfit's lower layers in dressing order, each in a size or "advise": its chart's
        size); returns its id once its preview exists."""
        advised = size == "advise" and not under  # an outfit drapes one size per garment
        sized = [(worn, _chosen_size(worn, asked, avatar))
                 for worn, asked in (*under, (item, size))]
        size = sized[-1][1]
        tryon_id = uuid.uuid4().hex[:16]
        folder = self.folder(storefront, tryon_id)
        folder.mkdir(parents=True)
        job_file = folder / "job.yaml"
        if under:
            wearing = {"outfits": [[_job_garment(worn) | {"size": worn_size}
                                    for worn, worn_size in sized]]}
        else:
            chart = SIZE_CHARTS[item.kind]
            wearing = {"garments": [_job_garment(item) | {
                "sizes": sizes_around(chart, size) if advised else [size]}]}
        job_file.write_text(yaml.safe_dump({
            "avatars": [{"avatar": str(avatar_dir)}], **wearing,
            "render": {"views": list(VIEWS), "samples": self.settings.render_samples,
                       "resolution": list(self.settings.render_resolution)},
            "output": str(self.folder(storefront))}))
        self.previewer.submit(self._preview, avatar_dir, *sized[-1], folder).result()
        farm_job = None
        if self.settings.broker:
            from render_farm.farm_client import submit

            farm_job = submit(job_file, self.settings.broker, self.settings.farm_store,
                              name=f"tryon {tryon_id}")
        self.data.add_tryon(storefront, tryon_id, avatar_id, item.id, size, advised,
                            farm_job, [{"garment": worn.id, "size": worn_size}
                                       for worn, worn_size in sized[:-1]])
        if farm_job is None:
            self.runner.submit(self._run_here, storefront, tryon_id, job_file)
        else:
            self._follow(storefront, tryon_id, farm_job)
        return tryon_id

    def status(self, storefront: str, tryon_id: str) -> dict | None:
        """The try-on's state and progress. Once done: each size draped with its fit and
        files (``sizes``, smallest first); with "advise", the advice; and the size shown
        (``size``: the advised one, or the draped size nearest it), whose fit and files are
        also the try-on's own."""
        record = self.data.tryon(storefront, tryon_id)
        if record is None:
            return None
        if record["farm_job"]:
            record |= self._farm_state(record["farm_job"])
        result = {"id": tryon_id, "avatar": record["avatar_id"], "garment": record["item"],
                  "size": record["size"], "size_advised": record["advised"],
                  "state": record["state"], "progress": round(record["progress"], 3),
                  "error": record["error"]}
        files = {"preview.png": self._url(tryon_id, "preview.png")}
        if record["state"] == "done":
            fits, advice, shown = _judged(record, self._size_folders(storefront, tryon_id),
                                          self._avatar(storefront, tryon_id))
            if advice is not None:
                result["advice"] = advice
            result |= {"size": shown, "fit": fits[shown], "sizes": []}
            for size, fit in fits.items():
                why = _no_picture(fit)
                result["sizes"].append({"size": size, "fit": fit, "no_picture": why, "files": {
                    name: self._url(tryon_id, f"{size}/{name}") for name in SIZE_FILES
                    if not why}})
            if _no_picture(fits[shown]):
                result["no_picture"] = _no_picture(fits[shown])
            else:
                files |= {name: self._url(tryon_id, name) for name in SIZE_FILES}
        if record["under"]:
            result["outfit"] = self._layers(storefront, tryon_id, record)
        return result | {"files": files}

    def _layers(self, storefront: str, tryon_id: str, record: dict) -> list[dict]:
        """An outfit's garments in dressing order, each with why its drape failed (None while
        not draped, or draped cleanly)."""
        worn = [*record["under"], {"garment": record["item"], "size": record["size"]}]
        drapes = self._folders(storefront, tryon_id, "drape")
        return [layer | {"drape_failed": failed_drape(drape)} for layer, drape in zip(worn, drapes)]

    def file(self, storefront: str, tryon_id: str, name: str) -> Path | None:
        """A try-on's file by name, if it exists: preview.png; <view>.png, draped.glb and
        fitmap.glb (the garment coloured by its fit) and moving.glb (the drape skinned to the
        avatar's armature, with motions to play) of the size shown; the same under <size>/
        for any size draped."""
        record = self.data.tryon(storefront, tryon_id)
        if record is None:
            return None
        if name == "preview.png":
            path = self.folder(storefront, tryon_id) / name
            return path if path.is_file() else None
        size, _, base = name.rpartition("/")
        if base not in SIZE_FILES:
            return None
        folders = self._size_folders(storefront, tryon_id)
        if not size:
            if not all((drape / "fit.json").is_file() for drape, _ in folders.values()):
                return None  # not done yet
            size = _judged(record, folders)[2]
        if size not in folders or failed_drape(folders[size][0]):
            return None  # a drape that failed is never shown
        drape, render = folders[size]
        if base in MADE_FILES:
            return self._made(storefront, tryon_id, size, drape, base)
        path = (drape if base == "draped.glb" else render) / base
        return path if path.is_file() else None

    def _made(self, storefront: str, tryon_id: str, size: str, drape: Path, base: str
              ) -> Path | None:
        """The size's fit-map model (``render_farm.fitmap_model``) or moving model
        (``neural.drape.moving_drape``, made in the preview thread, where the body model is
        loaded), made once, kept with the try-on's files."""
        from neural.files import write_bytes_atomic

        path = self.folder(storefront, tryon_id) / MADE_FILES[base] / f"{size}.glb"
        if not path.is_file() and (drape / "fit.json").is_file():
            if base == "fitmap.glb":
                from render_farm.fitmap_model import fitmap_glb

                model = fitmap_glb(drape)
            else:
                from neural.drape.moving_drape import moving_glb

                avatar = self._avatar_folder(storefront, tryon_id)
                model = self.previewer.submit(moving_glb, drape, avatar).result()
            path.parent.mkdir(exist_ok=True)
            write_bytes_atomic(path, model)
        return path if path.is_file() else None

    def _avatar(self, storefront: str, tryon_id: str) -> dict:
        """The avatar.json the try-on's job drapes."""
        from neural.fitting.avatar_file import read_avatar

        return read_avatar(self._avatar_folder(storefront, tryon_id))[0]

    def _avatar_folder(self, storefront: str, tryon_id: str) -> Path:
        """The folder of the avatar the try-on's job drapes (its avatar.json, or the folder)."""
        job = yaml.safe_load((self.folder(storefront, tryon_id) / "job.yaml").read_text())
        avatar = Path(job["avatars"][0]["avatar"])
        return avatar.parent if avatar.is_file() else avatar

    @staticmethod
    def _url(tryon_id: str, name: str) -> str:
        return f"/v1/tryons/{tryon_id}/files/{name}"

    def erase(self, storefront: str, avatar_id: str) -> None:
        """Remove the files of the avatar's try-ons: their folders, drapes and renders (the
        garments, which belong to no one, stay)."""
        import shutil

        for tryon_id in self.data.tryons_of(storefront, avatar_id):
            if (self.folder(storefront, tryon_id) / "job.yaml").is_file():
                for folder in self._folders(storefront, tryon_id, "drape", "render"):
                    shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(self.folder(storefront, tryon_id), ignore_errors=True)

    def _folders(self, storefront: str, tryon_id: str, *stages: str) -> list[Path]:
        """The output folders of the try-on job's tasks of ``stages``, in the plan's order
        (an outfit's drapes: dressing order)."""
        out = self.folder(storefront)
        return [task.folder(out) for task in _plan(self.folder(storefront, tryon_id))
                if task.stage in stages]

    def _size_folders(self, storefront: str, tryon_id: str) -> dict[str, tuple[Path, Path]]:
        """The try-on's drape and render folders by size, in the job's order (smallest
        size first)."""
        tasks = _plan(self.folder(storefront, tryon_id))
        out = self.folder(storefront)
        sizes = {task.key: task.args["size"] for task in tasks if task.stage == "garment"}
        drapes = {task.key: task for task in tasks if task.stage == "drape"}
        return {sizes[drapes[render.needs[0]].args["garment"]["task"]]:
                (drapes[render.needs[0]].folder(out), render.folder(out))
                for render in tasks if render.stage == "render"}

    def _run_here(self, storefront: str, tryon_id: str, job_file: Path) -> None:
        """Run the job's tasks in order in this server's engine, following their progress. The
        engine is a process of its own (Blender's bpy may only run on a process's main thread,
        and a crash there must not take the server down), started by the first try-on (or with
        the server, ``TRYON_WARM_ENGINE=1``) and kept warm for the next (``tryon task
        --serve``): a try-on pays for its compute only. It dies with the runner thread."""
        self.data.update_tryon(tryon_id, state="running")
        tasks = _plan(job_file.parent)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine call") as calls:
            for done, task in enumerate(tasks):
                engine = self.engine.engine()
                served = calls.submit(engine.serve, {"task": task.to_json(),
                                                     "out": str(self.folder(storefront))})
                while not wait([served], PROGRESS_EVERY_S).done:
                    self.data.update_tryon(tryon_id,
                                           progress=(done + engine.fraction) / len(tasks))
                if not served.result().ok:
                    self.data.update_tryon(tryon_id, state="failed",
                                           error=(served.result().error or "")[:500])
                    return
        self._settle(storefront, tryon_id, "done")

    def _follow(self, storefront: str, tryon_id: str, farm_job: str) -> None:
        """Follow a farm try-on in a daemon thread of its own (a server that stops does not
        wait for its farm jobs; the next one follows them again)."""
        threading.Thread(target=self._follow_farm, args=(storefront, tryon_id, farm_job),
                         name=f"follow {tryon_id}", daemon=True).start()

    def _follow_farm(self, storefront: str, tryon_id: str, farm_job: str) -> None:
        """Wait for the try-on's farm job to end, then record its outcome; a farm store that
        cannot be read ``FOLLOW_TRIES`` times in a row ends the watch (a restart resumes it)."""
        misses = 0
        while misses < FOLLOW_TRIES:
            try:
                state = self._farm_state(farm_job)
            except Exception as problem:  # noqa: BLE001 - the store may be away a moment
                misses += 1
                log.warning("try-on %s: cannot read farm job %s: %s", tryon_id, farm_job, problem)
            else:
                misses = 0
                if state["state"] != "running":
                    self._settle(storefront, tryon_id, state["state"], state["error"])
                    return
            time.sleep(FOLLOW_EVERY_S)

    def _settle(self, storefront: str, tryon_id: str, state: str, error: str | None = None
                ) -> None:
        """Record how a try-on ended: its state and, once done, the shown size's fit score."""
        done = state == "done"
        self.data.update_tryon(tryon_id, state=state, error=error, **({"progress": 1.0} if done
                                                                      else {}))
        if done:
            self.data.update_tryon(tryon_id,
                                   fit_score=self.status(storefront, tryon_id)["fit"]["score"])

    def _farm_state(self, job_id: str) -> dict:
        from render_farm.farm_status import snapshot
        from render_farm.store import JobStore

        job = snapshot(JobStore(self.settings.farm_store), job_id)["jobs"][0]
        state = {"active": "running", "done": "done"}.get(job["state"], "failed")
        return {"state": state, "progress": job["progress"],
                "error": None if state != "failed" else f"farm job {job['state']}"}


@lru_cache(maxsize=256)
def _plan(folder: Path) -> tuple:
    """The planned tasks of the try-on job in ``folder`` (its job.yaml is written once, before
    the try-on is recorded, and never changes: a status poll need not read and plan it again)."""
    return tuple(plan_job(folder / "job.yaml").tasks)


def _chosen_size(item: Item, size: str, avatar: dict) -> str:
    """``size`` of ``item``, or with "advise" the size its chart gives the ``avatar``;
    ``InputError`` for a size the chart lacks."""
    chart = SIZE_CHARTS[item.kind]
    if size == "advise":
        return fitted_size(chart, avatar["measurements"])
    if split_length(size)[0] not in load_chart(chart):
        raise InputError(f"no size {size!r} for {item.id}: choose one of "
                         f"{', '.join(item.sizes)} or 'advise'")
    return size


def _warm_preview() -> None:
    """Load what a preview's learned drape needs (the body model), so the first try-on does not
    wait for it."""
    from neural.body.anny_body import anny_landmarks, load_anny

    load_anny()
    anny_landmarks()


def _job_garment(item: Item) -> dict:
    """The job file's garment entry for ``item``, without its sizes."""
    return {"kind": item.kind, "fabric": item.fabric, "color": list(item.color)}


def _judged(record: dict, folders: dict[str, tuple[Path, Path]], avatar: dict | None = None
            ) -> tuple[dict[str, dict], dict | None, str]:
    """A done try-on's fit per size draped (``_fit_summary``), its advice (None without
    "advise"; with the ``avatar``'s document, also whether its measurements' intervals
    straddle sizes) and the size it shows."""
    chart = SIZE_CHARTS[_kind(record["item"])]
    fits = {size: _fit_summary(drape / "fit.json", chart, size)
            for size, (drape, _) in folders.items()}
    if not record["advised"]:
        return fits, None, record["size"]
    advice = _advice(chart, record["size"], fits, avatar)
    return fits, advice, _nearest(advice["size"], list(fits))


def _fit_summary(fit_json: Path, chart: str, size: str) -> dict:
    """A drape's quality gates and, per sizing girth of ``chart``, its ease and verdict."""
    import json

    from neural.drape.size_advice import judge

    fit = json.loads(fit_json.read_text())
    regions = judge(fit["regions"], chart, split_length(size)[0])
    return {"gates": {name: gate["pass"] for name, gate in fit["gates"].items()},
            "drape_failed": drape_failure(fit), "regions": regions,
            "score": drape_fit_score(regions)}


def _no_picture(fit: dict) -> str | None:
    """Why a size's drape (``_fit_summary``) is not shown, for the shopper."""
    if fit["drape_failed"] is None:
        return None
    return f"no picture for this size: the garment did not drape cleanly ({fit['drape_failed']})"


def _advice(chart: str, chart_size: str, fits: dict[str, dict], avatar: dict | None) -> dict:
    """The API's size advice (``neural.drape.size_advice.advise``) from the fits of the sizes
    draped: the advised size (in the chart's length), why, the chart's own pick and, with the
    ``avatar``'s document, the sizes its measurements' intervals reach."""
    from neural.drape.size_advice import advise
    from neural.garments.size_charts import with_length

    judged = {split_length(size)[0]: fit["regions"] for size, fit in fits.items()}
    advice = advise(chart, judged, split_length(chart_size)[1], avatar)
    return {"size": with_length(advice["size"], advice["length"] or ""),
            "reason": advice["reason"], "chart_size": chart_size, "span": advice["span"]}


def _nearest(size: str, draped: list[str]) -> str:
    """``size`` if it was draped, else the largest draped (``draped`` smallest first; advice
    is undraped only when every draped size is tight: the next size up)."""
    return size if size in draped else draped[-1]


def _kind(item_id: str) -> str:
    return next(item.kind for item in catalog() if item.id == item_id)


def drape_fit_score(regions: dict[str, dict]) -> float:
    """0-1 from a drape's verdicts: a region that fits counts 1, a loose one 0.5, a tight one
    0 (regions the garment does not cover do not count)."""
    points = {"fits": 1.0, "loose": 0.5, "tight": 0.0}
    covered = [points[r["verdict"]] for r in regions.values() if r["verdict"] in points]
    return sum(covered) / len(covered) if covered else 0.5

