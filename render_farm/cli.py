"""The ``tryon`` command: fit, garment, drape, render, run (a whole job locally), farm (a job on
Celery workers), and the commands of the other installed products (the storefront's keys, serve
and recommend)."""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import signal
import sys
from pathlib import Path

from tqdm import tqdm

from neural.errors import InputError
from neural.quiet import VERBOSE_VARIABLE
from render_farm.task_child import TaskFailed


PROGRESS_MODES = ("bars", "jsonl")
# entry points of this group add their commands: each is called with the subparsers (the
# storefront's keys, serve and recommend: ``recommender.cli.add_commands``)
COMMAND_GROUP = "tryon.commands"
SCHEMA_GROUP = "tryon.schemas"  # entry points of the databases' schemas (render_farm.sql.Schema)


class JobFailed(Exception):
    """A farm job followed to its end did not end done; ``report`` is the command's output."""

    def __init__(self, message: str, report: str):
        super().__init__(message)
        self.report = report


def main(argv: list[str] | None = None) -> int:
    """Entry point; bad input prints one line on stderr and exits 2, a farm job followed to a
    failed end exits 1. Ctrl-C (SIGINT) or SIGTERM stops the command cleanly (exit 130), even
    where the parent ignores SIGINT, as a shell does for background jobs."""
    args = _parser().parse_args(argv)
    if args.verbose:  # for this process and the ones it starts
        os.environ[VERBOSE_VARIABLE] = "1"
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        result = args.handler(args)
    except InputError as error:
        print(f"tryon: error: {error}", file=sys.stderr)
        return 2
    except JobFailed as failure:
        print(failure.report)
        print(f"tryon: error: {failure}", file=sys.stderr)
        return 1
    except TaskFailed as failure:
        print(f"tryon: error: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tryon: interrupted; finished outputs are kept and a re-run resumes", file=sys.stderr)
        return 130
    print(result)
    return 0


def _parser() -> argparse.ArgumentParser:
    from render_farm.job import GarmentEntry, RenderSettings

    parser = argparse.ArgumentParser(prog="tryon", description=__doc__)
    parser.add_argument("--version", action="version",
                        version=f"tryon {importlib.metadata.version('tryon')}")
    parser.add_argument("--verbose", action="store_true",
                        help="show third-party libraries' own logs too (mediapipe, Warp, Blender)")
    parser.add_argument("--progress", choices=PROGRESS_MODES, default="bars",
                        help="bars on the terminal, or jsonl: one JSON object per step on stderr "
                             '({"stage": ..., "done": ..., "total": ...}) for a program to read')
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    fit = sub.add_parser("fit", help="photo(s) + height -> avatar.json, avatar.glb")
    fit.add_argument("photo", help="front photo, whole body")
    fit.add_argument("--side", help="optional side (profile) photo of the same person")
    fit.add_argument("--height", type=float, required=True, help="stature in cm (100-230)")
    _add_out_and_device(fit, "out/avatar")
    fit.set_defaults(handler=_fit)

    garment = sub.add_parser("garment", help="pattern -> garment.json, garment.glb")
    source = garment.add_mutually_exclusive_group(required=True)
    source.add_argument("kind", nargs="?", help="a built-in garment: tshirt, shirt, jacket, hoodie, skirt, trousers, jeans, dress")
    source.add_argument("--pattern", help="GarmentCode / Garment-Pattern-Generator JSON spec")
    source.add_argument("--mesh", help="OBJ / GLB whose UV islands are the pattern's panels")
    garment.add_argument("--mesh-up", choices=("y", "z"), default="y",
                         help="the mesh's up axis (y: facing +Z, z: facing -Y)")
    garment.add_argument("--mesh-unit", type=float,
                         help="metres per mesh unit (default: guessed from the garment's size)")
    worn = GarmentEntry()  # a job file's defaults
    garment.add_argument("--size", default=worn.size,
                         help="XS..XXL; trousers and jeans also take a length: M-L30 (L24..L34)")
    garment.add_argument("--fabric", default=worn.fabric)
    garment.add_argument("--color", help="#rrggbb (sRGB) or r,g,b (linear, 0-1); default the "
                         "fabric's own colour")
    garment.add_argument("--out", default="out/garment")
    garment.set_defaults(handler=_garment)

    drape = sub.add_parser("drape", help="avatar + garment -> draped.glb, fit.json")
    drape.add_argument("avatar")
    drape.add_argument("garment")
    drape.add_argument("--over", help="a finished drape folder whose garments this one is worn over")
    drape.add_argument("--keep-failed", action="store_true",
                       help="write a drape that fails its simulation gates (marked failed in "
                            "fit.json) instead of stopping with the reason")
    drape.add_argument("--learned", action="store_true",
                       help="the learned drape alone, in milliseconds, no cloth simulation "
                            "(t-shirts and the kinds trained by make train-drape)")
    _add_out_and_device(drape, "out/drape")
    drape.set_defaults(handler=_drape)

    size = sub.add_parser("size", help="avatar + built-in garment -> size advice (drapes sizes)")
    size.add_argument("avatar")
    size.add_argument("garment", help="a built-in garment (tshirt, shirt, ...) or its garment folder")
    size.add_argument("--fabric", help="fabric preset (default: the garment folder's, or cotton)")
    _add_out_and_device(size, "out/size")
    size.set_defaults(handler=_size)

    render = sub.add_parser("render", help="draped.glb -> PNG per view, render.json")
    render.add_argument("draped")
    defaults = RenderSettings()  # a job file's defaults
    render.add_argument("--template", default=defaults.template)
    render.add_argument("--views", default=",".join(defaults.views))
    render.add_argument("--samples", type=int, default=defaults.samples)
    render.add_argument("--resolution", default="x".join(map(str, defaults.resolution)),
                        help="WxH in pixels")
    render.add_argument("--fitmap", nargs="?", const="strain", choices=("strain", "ease"),
                        help="colour the garment by its fit map (default strain) with a legend")
    render.add_argument("--body", default=defaults.body, help="how the body shows: realistic "
                        "(skin), mannequin (a matte form) or invisible (the ghost mannequin)")
    _add_out_and_device(render, "out/render")
    render.set_defaults(handler=_render)

    run = sub.add_parser("run", help="run a job file locally (resumable)")
    run.add_argument("job")
    _add_out_and_device(run, None)
    run.set_defaults(handler=_run)

    _add_farm(sub.add_parser("farm", help="the render farm: Celery workers on a Redis broker"))

    db = sub.add_parser("db", help="the SQL databases: the farm's job store, the storefront's")
    db_sub = db.add_subparsers(required=True, metavar="COMMAND")
    upgrade = db_sub.add_parser("upgrade", help="bring databases made by an older tryon up to "
                                                "date in place, keeping their data")
    upgrade.add_argument("url", nargs="*", help="database URLs, sqlite:///PATH or "
                         "postgresql+psycopg://... (default: the job store's, $TRYON_STORE, "
                         "else the local one)")
    upgrade.set_defaults(handler=_db_upgrade)

    task = sub.add_parser("task", help="run one planned task of a farm job (its JSON on stdin), "
                                       "or serve tasks warm (--serve); what a farm worker starts")
    run_or_serve = task.add_mutually_exclusive_group(required=True)
    run_or_serve.add_argument("--out", help="the job's output folder (shared)")
    run_or_serve.add_argument("--serve", action="store_true",
                              help="load the engine once, then run a task per JSON line on stdin "
                                   "({task, out, tag}) until its end")
    task.add_argument("--device", default="auto")
    task.add_argument("--threads", type=int, default=0, help="CPU threads for renders (0: all)")
    task.add_argument("--parent", type=int, required=True,
                      help="the worker's process id: the task dies with it")
    task.add_argument("--nice", type=int, default=0,
                      help="run at a CPU priority lower by this much (a web server's engines: "
                           "its requests come first)")
    task.set_defaults(handler=_task)

    for entry in importlib.metadata.entry_points(group=COMMAND_GROUP):  # other products' own
        entry.load()(sub)
    return parser


def _add_farm(farm: argparse.ArgumentParser) -> None:
    """``tryon farm worker|submit|status|logs|cancel|serve``."""
    from neural.device import DEVICE_CHOICES

    stores = argparse.ArgumentParser(add_help=False)
    stores.add_argument("--store", help="job store URL: sqlite:///PATH or postgresql+psycopg://... "
                        "(default $TRYON_STORE, else ~/.local/share/tryon/farm.db)")
    brokers = argparse.ArgumentParser(add_help=False)
    brokers.add_argument("--broker", help="redis://HOST:PORT/DB (default $TRYON_BROKER, else "
                         "redis://localhost:6379/0)")
    sub = farm.add_subparsers(required=True, metavar="COMMAND")

    worker = sub.add_parser("worker", parents=[stores, brokers], help="run a farm worker")
    worker.add_argument("--gpu", type=int, help="the GPU this worker owns (CUDA_VISIBLE_DEVICES)")
    worker.add_argument("--queues", default="cpu,gpu", help="queues it serves (cpu, gpu)")
    worker.add_argument("--name", help="unique worker name (default HOST-gpuN or HOST-cpu)")
    worker.add_argument("--cpus", help="CPU cores it runs on, e.g. 0-3 or 0,2 (default: all)")
    worker.add_argument("--threads", type=int, default=0,
                        help="CPU threads per task (default: one per core it runs on)")
    worker.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    worker.add_argument("--cold", action="store_true",
                        help="start a fresh engine process for every task instead of keeping one "
                             "warm (slower: each task loads the libraries and models again)")
    worker.add_argument("--lost-after", type=float,
                        help="seconds without a heartbeat after which a worker's task is "
                             "taken back (default 30; the same on every worker)")
    worker.set_defaults(handler=_farm_worker)

    submit = sub.add_parser("submit", parents=[stores, brokers], help="queue a job file")
    submit.add_argument("job")
    submit.add_argument("--out", help="output folder every worker sees at the same path "
                        "(default: the job file's output:)")
    submit.add_argument("--name", help="job name (default: the job file's name)")
    submit.add_argument("--priority", type=int, help="higher runs first (default: the job file's)")
    submit.set_defaults(handler=_farm_submit)

    status = sub.add_parser("status", parents=[stores], help="jobs, tasks and workers")
    status.add_argument("job", nargs="?")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.add_argument("--watch", action="store_true", help="follow it live until done")
    status.set_defaults(handler=_farm_status)

    logs = sub.add_parser("logs", parents=[stores], help="a job's attempts with their logs")
    logs.add_argument("job")
    logs.add_argument("task", nargs="?", help="one task's key (default: every failed attempt)")
    logs.set_defaults(handler=_farm_logs)

    cancel = sub.add_parser("cancel", parents=[stores], help="cancel a job")
    cancel.add_argument("job")
    cancel.set_defaults(handler=_farm_cancel)

    serve = sub.add_parser("serve", parents=[stores], help="the status as JSON over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8070)
    serve.set_defaults(handler=_farm_serve)


def _add_out_and_device(parser: argparse.ArgumentParser, default_out: str | None) -> None:
    from neural.device import DEVICE_CHOICES

    parser.add_argument("--out", default=default_out,
                        help=None if default_out else "default: the job file's output:")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")


def _bar(desc: str, mode: str):
    """A progress callback whose bar appears with the first step (so errors print alone); under
    ``--progress jsonl`` each step is a JSON line on stderr instead."""
    bars: list[tqdm] = []

    def update(done: int, total: int) -> None:
        if mode == "jsonl":
            print(json.dumps({"stage": desc, "done": done, "total": total}), file=sys.stderr,
                  flush=True)
            return
        if not bars:
            bars.append(tqdm(desc=desc, total=total, unit="step", leave=False))
        bars[0].total = total
        bars[0].n = done
        bars[0].refresh()
        if done == total:
            bars[0].close()

    def close() -> None:
        """Take the bar away (a stage that failed part way), so its error prints alone."""
        if bars:
            bars[0].close()

    update.close = close
    return update


def _fit(args) -> str:
    from neural.stages import fit_stage

    doc = fit_stage(args.photo, args.height, args.out, args.device,
                    _bar("fitting", args.progress), args.side)
    for note in doc["diagnostics"]["notes"]:
        print(f"note: {note}", file=sys.stderr)
    return f"avatar written to {args.out}: " + json.dumps(doc["measurements"])


def _garment(args) -> str:
    from neural.materials import parse_color
    from neural.stages import garment_stage, mesh_garment_stage, pattern_garment_stage

    color = parse_color(args.color) if args.color else None
    if args.pattern:
        doc = pattern_garment_stage(args.pattern, args.fabric, args.out, color)
    elif args.mesh:
        doc = mesh_garment_stage(args.mesh, args.fabric, args.out, args.mesh_up, args.mesh_unit,
                                 color)
    else:
        doc = garment_stage(args.kind, args.size, args.fabric, args.out, color)
    return f"garment {doc['garment']} {doc['size']} written to {args.out}"


def _drape(args) -> str:
    from neural.errors import DrapeFailed
    from neural.stages import drape_stage

    progress = _bar("draping", args.progress)
    try:
        doc = drape_stage(args.avatar, args.garment, args.out, args.device, progress,
                          args.over, args.keep_failed, args.learned)
    except DrapeFailed as failed:
        progress.close()
        raise DrapeFailed(f"{failed} (nothing written; --keep-failed writes it marked failed)"
                          ) from None
    if not doc["simulation"]["passed"]:
        what = "learned drape (a preview)" if args.learned else "drape FAILED,"
        return (f"{what} kept in {args.out} marked failed (fit.json): "
                f"{doc['simulation']['reason']}")
    gates = ", ".join(f"{k} {'pass' if v['pass'] else 'FAIL'}" for k, v in doc["gates"].items())
    how = "learned drape" if args.learned else "draped"
    return f"{how} in {doc['wall_time_s']} s, written to {args.out} ({gates})"


def _size(args) -> str:
    from neural.garments.garment_file import read_garment
    from neural.stages import size_stage

    kind, fabric = args.garment, args.fabric
    if Path(kind).exists():  # a garment folder or file: its kind and fabric
        document = read_garment(kind)[0]
        kind, fabric = document["garment"], fabric or document["fabric"]["name"]
    doc = size_stage(args.avatar, kind, fabric or "cotton", args.out, args.device,
                     lambda size: _bar(f"draping {size}", args.progress))
    length = f", length {doc['length']}" if doc["length"] else ""
    return f"{doc['reason']} (size chart: {doc['chart_size']}{length}; details in {args.out})"


def _render(args) -> str:
    from render_farm.render_stage import render_stage

    try:
        width, height = (int(x) for x in args.resolution.lower().split("x"))
    except ValueError as error:
        raise InputError(f"resolution must be WxH, e.g. 512x768: {args.resolution}") from error
    doc = render_stage(args.draped, args.out, args.views.split(","), args.samples,
                       (width, height), args.template, args.device, args.fitmap,
                       body=args.body)
    return f"rendered {', '.join(doc['images'])} into {args.out} on {doc['device']}"


def _run(args) -> str:
    from render_farm.local_runner import run_job

    result = run_job(args.job, args.out, args.device, _bar("tasks", args.progress))
    lines = [f"{result['ran']} tasks run, {result['skipped']} already done; images:"]
    lines += [f"  {p}" for p in result["images"]]
    return "\n".join(lines + [f"contact sheet: {result['contact_sheet']}"])


def _db_upgrade(args) -> str:
    from render_farm.farm_client import store_url
    from render_farm.sql import holds, upgrade

    schemas = [entry.load() for entry in importlib.metadata.entry_points(group=SCHEMA_GROUP)]
    lines = []
    for url in args.url or [store_url(None)]:
        found = [schema for schema in schemas if holds(url, schema)]
        if not found:
            raise InputError(f"{url} holds no tryon database "
                             f"({', '.join(schema.name for schema in schemas)})")
        for schema in found:
            before, after = upgrade(url, schema)
            lines.append(f"{schema.name} at {url}: " + (f"already at {after}" if before == after
                         else f"{before or 'made before migrations'} -> {after}"))
    return "\n".join(lines)


def _task(args) -> str:
    from render_farm.task_child import run_planned_task, serve_planned_tasks

    if args.nice:
        os.nice(args.nice)
    if args.serve:
        return serve_planned_tasks(args.device, args.threads, args.parent,
                                   lambda stage: _bar(stage, args.progress))
    return run_planned_task(sys.stdin.read(), args.out, args.device, args.threads, args.parent,
                            lambda stage: _bar(stage, args.progress))


def _farm_worker(args) -> str:
    from render_farm.farm_app import broker_url
    from render_farm.farm_client import store_url
    from render_farm.farm_worker import FarmWorker, WorkerSettings

    settings = WorkerSettings(store_url(args.store), broker_url(args.broker), args.name or "",
                              args.queues.split(","), args.device, args.gpu,
                              _cpu_list(args.cpus) if args.cpus else None, args.threads,
                              args.cold)
    if args.lost_after:
        settings.lost_after_s = args.lost_after
    FarmWorker(settings).start()
    return f"worker {settings.name} stopped"


def _cpu_list(text: str) -> list[int]:
    """``0-3,6`` -> [0, 1, 2, 3, 6]."""
    cpus = []
    try:
        for part in text.split(","):
            first, _, last = part.partition("-")
            cpus += range(int(first), int(last or first) + 1)
    except ValueError as error:
        raise InputError(f"--cpus takes core numbers and ranges, e.g. 0-3,6: {text}") from error
    return cpus


def _farm_submit(args) -> str:
    from render_farm.farm_app import broker_url
    from render_farm.farm_client import store_url, submit

    job_id = submit(args.job, broker_url(args.broker), store_url(args.store), args.out,
                    args.name, args.priority)
    return f"{job_id}\nfollow it with: tryon farm status {job_id} --watch"


def _farm_status(args) -> str:
    from render_farm.farm_client import store_url
    from render_farm.farm_status import draw, snapshot, watch
    from render_farm.store import JobStore

    store = JobStore(store_url(args.store))
    if args.job and not store.status(args.job)["jobs"]:
        raise InputError(f"no job {args.job} in the farm's store")
    if not args.watch:
        status = snapshot(store, args.job)
    elif args.progress == "jsonl":  # for a program: the job's tasks as steps
        status = watch(store, args.job, progress=_bar("farm job", args.progress))
    else:
        status = watch(store, args.job, stream=sys.stderr)
    report = json.dumps(status, indent=1) if args.json else draw(status)
    ended = [job for job in status["jobs"] if job["state"] in ("failed", "cancelled")]
    if args.watch and ended:
        raise JobFailed(", ".join(f"job {job['id']} {job['state']}: " + ", ".join(
            f"{n} {state}" for state, n in sorted(job["counts"].items())) for job in ended),
            report)
    return report


def _farm_logs(args) -> str:
    from render_farm.farm_client import store_url
    from render_farm.store import JobStore

    attempts = JobStore(store_url(args.store)).attempts(args.job, args.task)
    if args.task is None:
        attempts = [a for a in attempts if a["outcome"] != "ok"]
    blocks = [f"== task {a['key']} on {a['worker']}: {a['outcome']}"
              f"{' (' + a['error'] + ')' if a['error'] else ''}\n{a['log']}" for a in attempts]
    return "\n".join(blocks) or "no such attempts"


def _farm_cancel(args) -> str:
    from render_farm.farm_client import cancel, store_url

    cancel(args.job, store_url(args.store))
    return f"job {args.job} cancelled"


def _farm_serve(args) -> str:
    from render_farm.farm_client import store_url
    from render_farm.status_api import create_app

    create_app(store_url(args.store)).run(args.host, args.port)
    return "stopped"


if __name__ == "__main__":
    sys.exit(main())
