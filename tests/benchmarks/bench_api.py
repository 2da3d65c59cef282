"""The storefront API under load: prints a table and saves JSON.

Usage: python tests/benchmarks/bench_api.py [--seconds S] [--repeats N] [--json OUT]
gunicorn with 2 sync workers serves the app on loopback from a fresh data folder (one
storefront, 200 events on its catalog by 40 shoppers); wrk (one thread, 8 connections, a
second process) loads each route for S seconds, N times, and the median run is reported:
requests per second and latency percentiles. Recommendations are loaded once per policy of the
default A/B split, each for a shopper with events whom that policy answers. Baseline, in the same session: the OpenAPI document (no key, no
store, about 8 kB of JSON), what Flask and gunicorn allow here for a route without work. Then
POST /v1/avatars with the bundled example photo, one request at a time: seconds to the answer
(202, fitting) and to the avatar ready. Then a burst: ``--burst`` uploads sent at once while a
probe asks for recommendations every 100 ms: the seconds each upload waited for its answer, the
probe's latencies during the burst, and how long the fits took to drain (fits per minute: the
fit engines' throughput). The server runs as documented for production (TRYON_WARM_ENGINE=1).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOT / "examples" / "pifu_ryota.png"
POLICIES = {"linear Thompson sampling v1": "recommendations (bandit)",
            "Q-learning over sessions v1": "recommendations (sessions)",
            "policy gradient over sessions v1": "recommendations (policy gradient)"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--avatars", type=int, default=3)
    parser.add_argument("--burst", type=int, default=50, help="uploads sent at once")
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/api.json"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from neural.files import write_json_atomic
    from tests.farm_harness import free_port, wait_for

    with tempfile.TemporaryDirectory() as data:
        env = os.environ | {"TRYON_DATA": data, "TRYON_RATE_LIMIT": str(10 ** 9),
                            "TRYON_WARM_ENGINE": "1"}
        key = subprocess.run([str(Path(sys.executable).with_name("tryon")), "keys", "create",
                              "bench"], env=env, capture_output=True, text=True,
                             check=True).stdout.strip()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-w", "2", "--timeout", "300", "-b",
             f"127.0.0.1:{port}", "--log-level", "warning", "recommender.api:create_app()"],
            env=env)
        try:
            wait_for(lambda: _answers(f"{base}/v1/openapi.json"), 60, "gunicorn to answer")
            items = [g["id"] for g in _call(base, "/v1/garments", key)["garments"]]
            for n in range(200):
                _call(base, "/v1/events", key, {"shopper": f"s{n % 40}", "item": items[n % 7],
                                                "type": ("view", "tryon", "purchase")[n % 3]})
            # first the uploads one at a time: the server's engines have warmed up after them
            avatar_s = [_time_avatar(base, key) for _ in range(args.avatars)]
            routes = {"openapi document (baseline)": "/v1/openapi.json",
                      **_recommendation_routes(base, key), "catalog": "/v1/garments"}
            rows = {name: _load(base + path, key, args.seconds, args.repeats)
                    for name, path in routes.items()}
            burst = _burst(base, key, args.burst, next(iter(_recommendation_routes(base,
                                                                                  key).values())))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)

    baseline = rows["openapi document (baseline)"]["requests_per_s"]
    for row in rows.values():
        row["vs_baseline"] = round(row["requests_per_s"] / baseline, 3)
    result = {"machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
                         f"{platform.python_version()}",
              "server": "gunicorn, 2 sync workers", "load": "wrk, 1 thread, 8 connections",
              "seconds": args.seconds, "repeats": args.repeats, "routes": rows,
              "avatar_seconds": {
                  "answered": [round(a, 3) for a, _ in avatar_s],
                  "ready": [round(r, 2) for _, r in avatar_s],
                  "median_ready": round(statistics.median(r for _, r in avatar_s), 2)},
              "burst": burst}
    print(f"\nstorefront API on {result['machine']}: {result['server']}, {result['load']}, "
          f"median of {args.repeats} x {args.seconds} s")
    print(f"{'route':<30}{'req/s':>9}{'x baseline':>12}{'p50 ms':>9}{'p99 ms':>9}")
    for name, row in rows.items():
        print(f"{name:<30}{row['requests_per_s']:>9.0f}{row['vs_baseline']:>12.2f}"
              f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}")
    avatars = result["avatar_seconds"]
    print(f"POST /v1/avatars (fit from one photo), {args.avatars} one at a time: answered in "
          f"{max(avatars['answered']) * 1000:.0f} ms at most, ready in {avatars['median_ready']} s "
          f"(median)")
    print(f"a burst of {burst['uploads']} uploads at once: each answered within "
          f"{burst['answered_s']['max']} s (p99 {burst['answered_s']['p99']} s); "
          f"recommendations meanwhile p50 {burst['recommendations_ms']['p50']} ms, p99 "
          f"{burst['recommendations_ms']['p99']} ms ({burst['recommendations_ms']['probes']} "
          f"probes); fits drained in {burst['fits_drained_s']} s "
          f"({burst['fits_per_minute']} fits/min)")
    write_json_atomic(args.json, result)
    print(f"saved {args.json}")
    return 0


def _recommendation_routes(base: str, key: str) -> dict[str, str]:
    """A recommendations route per policy, for a shopper (with events) whom it answers."""
    routes = {}
    for n in range(40):
        path = f"/v1/recommendations?shopper=s{n}&k=5"
        routes.setdefault(POLICIES[_call(base, path, key)["policy"]], path)
    return dict(sorted(routes.items()))


def _load(url: str, key: str, seconds: int, repeats: int) -> dict:
    """wrk on ``url``; the run with the median throughput."""
    runs = []
    for _ in range(repeats):
        output = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "-H",
                                 f"Authorization: Bearer {key}", url], capture_output=True,
                                text=True, check=True).stdout
        if "Non-2xx" in output:
            raise RuntimeError(f"errors under load:\n{output}")
        runs.append({"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)",
                                                       output).group(1)),
                     "p50_ms": _percentile(output, "50%"), "p99_ms": _percentile(output, "99%")})
    runs.sort(key=lambda run: run["requests_per_s"])
    return runs[len(runs) // 2] | {"all_requests_per_s": [r["requests_per_s"] for r in runs]}


def _percentile(output: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 3)


def _call(base: str, path: str, key: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {key}"})
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def _upload(base: str, key: str) -> tuple[str, float]:
    """POST /v1/avatars with the example photo: (avatar id, seconds to the answer)."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"height_cm\"\r\n\r\n175\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"front\"; filename=\"a.png\""
            "\r\nContent-Type: image/png\r\n\r\n").encode() + PHOTO.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{base}/v1/avatars", data=body, headers={
        "Authorization": f"Bearer {key}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as answer:
        assert answer.status == 202
        return json.load(answer)["id"], time.perf_counter() - started


def _time_avatar(base: str, key: str) -> tuple[float, float]:
    """(seconds to the upload's answer, seconds until its avatar is ready)."""
    started = time.perf_counter()
    avatar_id, answered = _upload(base, key)
    while (state := _call(base, f"/v1/avatars/{avatar_id}", key)["state"]) == "fitting":
        time.sleep(0.05)
    assert state == "ready", state
    return answered, time.perf_counter() - started


def _burst(base: str, key: str, uploads: int, probe_path: str) -> dict:
    """``uploads`` uploads at once, a recommendations probe every 100 ms until the fits have
    drained."""
    from concurrent.futures import ThreadPoolExecutor

    probes, done = [], threading.Event()

    def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            _call(base, probe_path, key)
            probes.append(1000 * (time.perf_counter() - started))
            time.sleep(0.1)

    prober = threading.Thread(target=probe)
    prober.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(uploads) as senders:
        answered = sorted(s for _, s in senders.map(lambda _: _upload(base, key),
                                                    range(uploads)))
    while _call(base, "/v1/avatar-fits", key)["fits_waiting"]:
        time.sleep(0.5)
    drained = time.perf_counter() - started
    done.set()
    prober.join()
    probes.sort()
    return {"uploads": uploads,
            "answered_s": {"max": round(answered[-1], 3),
                           "p99": round(answered[int(0.99 * (len(answered) - 1))], 3)},
            "recommendations_ms": {"probes": len(probes),
                                   "p50": round(statistics.median(probes), 1),
                                   "p99": round(probes[int(0.99 * (len(probes) - 1))], 1),
                                   "max": round(probes[-1], 1)},
            "fits_drained_s": round(drained, 1),
            "fits_per_minute": round(60 * uploads / drained, 2)}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
