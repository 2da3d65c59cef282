"""Avatars fitted off the web request: ``POST /v1/avatars`` records the avatar as fitting and
hands its photos here, while the request is answered at once. The avatar then becomes ready
(its body under ``<data>/avatars/<storefront>/<avatar>/``) or failed, with the reason a shopper
can act on (``photo_error``). The photos are never written anywhere:

- with a farm (``TRYON_BROKER``): each photo is encrypted and left in the broker's Redis for a
  few minutes (``render_farm.photo_drop``), and a farm job of one fit task, ahead of any
  lookbook, goes to the farm's engine workers (their number is the scaling knob); a follower
  thread moves the finished body into place and records the outcome (a server that starts
  follows the fits left unsettled);
- else in this server's fit engine (a warm ``tryon task --serve`` process of its own, its
  detector, networks and body model loaded once), the photos sent over its pipe in memory, one
  fit after another.

``waiting`` counts the avatars still fitting across every process sharing the database.
"""
from __future__ import annotations

import base64
import json
import logging
import shutil
import threading
import time
from pathlib import Path

from recommender.api.config import Settings
from recommender.engines import runner_with_engine
from recommender.storefront_data import StorefrontData

log = logging.getLogger("tryon.api")
FIT_PRIORITY = 100  # a shopper waits on a fit: it goes before every lookbook's tasks
FOLLOW_EVERY_S = 0.5  # how often a follower looks at its farm fit
FIT_FAILED = {"status": 500, "code": "fit_failed", "message": "the fit failed"}


class AvatarFits:
    """The server's avatar fits: ``start`` one, count those ``waiting``."""

    def __init__(self, settings: Settings, data: StorefrontData):
        self.settings, self.data = settings, data
        self.runner, self.engine = runner_with_engine(
            settings, self, "fit", settings.warm_engine and not settings.broker)

    def folder(self, storefront: str, avatar_id: str) -> Path:
        return self.settings.data_dir / "avatars" / storefront / avatar_id

    def start(self, storefront: str, avatar_id: str, photos: dict[str, bytes],
              height_cm: float) -> None:
        """Record the avatar as fitting and queue its fit; ``photos`` ("front", optionally
        "side": the uploads' bytes) are let go of here, kept only until the engine has them."""
        self.data.add_avatar(storefront, avatar_id, None)
        if self.settings.broker:
            self._start_on_farm(storefront, avatar_id, photos, height_cm)
            return
        request = {"fit": {"photos": {name: base64.b64encode(payload).decode("ascii")
                                      for name, payload in photos.items()},
                           "height_cm": height_cm,
                           "out": str(self.folder(storefront, avatar_id))}}
        photos.clear()
        self.runner.submit(self._fit, storefront, avatar_id, request)

    def _start_on_farm(self, storefront: str, avatar_id: str, photos: dict[str, bytes],
                       height_cm: float) -> None:
        from render_farm.farm_client import submit_plan
        from render_farm.photo_drop import drop
        from render_farm.plan import JobPlan, PlannedTask

        dropped = {view: drop(self.settings.broker, payload) for view, payload in photos.items()}
        photos.clear()
        task = PlannedTask(avatar_id, "fit", {"dropped": dropped, "height_cm": height_cm},
                           label=f"avatar {avatar_id}")
        job = submit_plan(JobPlan([task], FIT_PRIORITY), self.settings.broker,
                          self.settings.farm_store, self._farm_out(storefront),
                          f"avatar {avatar_id}")
        self.data.fit_on_farm(avatar_id, job)
        self._follow(storefront, avatar_id, job, list(dropped.values()))

    def follow_unsettled(self) -> None:
        """Follow again the farm fits a stopped server left unsettled (their photos' drops
        expire on their own)."""
        for storefront, avatar_id, job in self.data.unsettled_farm_fits():
            self._follow(storefront, avatar_id, job)

    def _farm_out(self, storefront: str) -> Path:
        """The farm jobs' output folder: its fits land in ``avatars/<avatar>`` under it."""
        return self.settings.data_dir / "farm_fits" / storefront

    def _follow(self, storefront: str, avatar_id: str, job: str, dropped: list[dict] = ()
                ) -> None:
        threading.Thread(target=self._follow_farm, args=(storefront, avatar_id, job, dropped),
                         name=f"fit {avatar_id}", daemon=True).start()

    def _follow_farm(self, storefront: str, avatar_id: str, job_id: str,
                     dropped: list[dict]) -> None:
        """Wait for the avatar's farm job to end; move its body into place, record the outcome
        and remove the photos' ``dropped`` references."""
        from render_farm.farm_status import snapshot
        from render_farm.photo_drop import remove
        from render_farm.plan import REFUSED_FILE
        from render_farm.store import JobStore

        store = JobStore(self.settings.farm_store)
        while True:
            try:
                job = snapshot(store, job_id)["jobs"][0]
            except Exception as problem:  # noqa: BLE001 - the store may be away a moment
                log.warning("avatar %s: cannot read farm job %s: %s", avatar_id, job_id, problem)
                job = {"state": "active"}
            if job["state"] != "active":
                break
            time.sleep(FOLLOW_EVERY_S)
        fitted = self._farm_out(storefront) / "avatars" / avatar_id
        refused = fitted / REFUSED_FILE
        if job["state"] == "done" and refused.is_file():
            self._refused(avatar_id, json.loads(refused.read_text())["reason"])
        elif job["state"] == "done":
            folder = self.folder(storefront, avatar_id)
            folder.parent.mkdir(parents=True, exist_ok=True)
            fitted.rename(folder)
            self._fitted(storefront, avatar_id)
        else:
            errors = [a["error"] for a in store.attempts(job_id) if a["error"]]
            log.error("avatar %s: farm job %s %s: %s", avatar_id, job_id, job["state"],
                      errors[-1] if errors else "no attempt")
            self.data.settle_avatar(avatar_id, error=FIT_FAILED)
        shutil.rmtree(fitted, ignore_errors=True)
        remove(self.settings.broker, dropped)

    def waiting(self) -> int:
        """Avatars still fitting, in every server process."""
        return self.data.fits_waiting()

    def _fit(self, storefront: str, avatar_id: str, request: dict) -> None:
        try:
            served = self.engine.engine().serve(request)
            request.clear()
            if served.ok:
                self._fitted(storefront, avatar_id)
            elif served.bad_input:
                self._refused(avatar_id, served.error or "")
            else:
                log.error("avatar %s: fit failed: %s", avatar_id, served.error)
                self.data.settle_avatar(avatar_id, error=FIT_FAILED)
        except Exception:  # noqa: BLE001 - the avatar must not stay fitting for ever
            log.exception("avatar %s: fit failed", avatar_id)
            self.data.settle_avatar(avatar_id, error=FIT_FAILED)

    def _fitted(self, storefront: str, avatar_id: str) -> None:
        """The avatar ready, its body in its folder (removed if the avatar was erased while it
        fitted)."""
        folder = self.folder(storefront, avatar_id)
        self.data.settle_avatar(avatar_id,
                                document=json.loads((folder / "avatar.json").read_text()))
        if self.data.avatar_state(storefront, avatar_id) is None:
            shutil.rmtree(folder, ignore_errors=True)

    def _refused(self, avatar_id: str, reason: str) -> None:
        """The avatar failed for its photos' ``reason`` (the engine's one line)."""
        status, code = photo_error(reason)
        self.data.settle_avatar(avatar_id, error={"status": status, "code": code,
                                                  "message": reason})


def photo_error(message: str) -> tuple[int, str]:
    """(status, code) of a photo the fit cannot use, from the engine's reason: too large (413),
    not an image or too small (400), or no usable person in it (422)."""
    if message.startswith("photo is too large"):
        return 413, "photo_too_large"
    if message.startswith(("not a readable image", "photo is too small")):
        return 400, "not_an_image"
    return 422, "unusable_photo"
