"""The storefront API under load: prints a table and saves JSON.

Usage: python tests/benchmarks/bench_api.py [--seconds S] [--repeats N] [--json OUT]
gunicorn with 2 sync workers serves the app on loopback from a fresh data folder (one
storefront, 200 events on its catalog by 40 shoppers); wrk (one thread, 8 connections, a
second process) loads each route for S seconds, N times, and the median run is reported:
requests per second and latency percentiles. Recommendations are loaded once per policy of the
default A/B split, each for a shopper with events whom that policy answers. Baseline, in the same session: the OpenAPI document (no key, no
store, about 8 kB of JSON), what Flask and gunicorn allow here for a route without work. Then
POST /v1/avatars with the bundled example photo, one request at a time: seconds per request.
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
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/api.json"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from neural.files import write_json_atomic
    from tests.farm_harness import free_port, wait_for

    with tempfile.TemporaryDirectory() as data:
        env = os.environ | {"TRYON_DATA": data, "TRYON_RATE_LIMIT": str(10 ** 9)}
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
            routes = {"openapi document (baseline)": "/v1/openapi.json",
                      **_recommendation_routes(base, key), "catalog": "/v1/garments"}
            rows = {name: _load(base + path, key, args.seconds, args.repeats)
                    for name, path in routes.items()}
            avatar_s = [_time_avatar(base, key) for _ in range(args.avatars)]
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
              "avatar_seconds_per_request": {"runs": [round(s, 2) for s in avatar_s],
                                             "median": round(statistics.median(avatar_s), 2)}}
    print(f"\nstorefront API on {result['machine']}: {result['server']}, {result['load']}, "
          f"median of {args.repeats} x {args.seconds} s")
    print(f"{'route':<30}{'req/s':>9}{'x baseline':>12}{'p50 ms':>9}{'p99 ms':>9}")
    for name, row in rows.items():
        print(f"{name:<30}{row['requests_per_s']:>9.0f}{row['vs_baseline']:>12.2f}"
              f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}")
    avatar = result["avatar_seconds_per_request"]["median"]
    print(f"POST /v1/avatars (fit from one photo): median {avatar} s per request over "
          f"{args.avatars}")
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


def _time_avatar(base: str, key: str) -> float:
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
        assert answer.status == 201
    return time.perf_counter() - started


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
