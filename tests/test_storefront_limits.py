"""One API key's rate limit holds across the server's processes: gunicorn with two workers
counts in the render farm's Redis (``TRYON_BROKER``), a real redis-server on a free port."""
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.farm_harness import LocalFarm, free_port, wait_for

pytestmark = pytest.mark.farm
LIMIT = 20  # requests a minute per key
BIN = Path(sys.executable).parent


def _status(url: str, key: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30):
            return 200
    except urllib.error.HTTPError as error:
        if error.code == 429:
            assert json.load(error)["error"]["code"] == "rate_limited"
        return error.code
    except OSError:
        return 0


def _answers(env: dict, requests: int) -> list[int]:
    """Status codes of ``requests`` GET /v1/garments with one key (each on a new connection,
    which either of gunicorn's two workers may take)."""
    key = subprocess.run([str(BIN / "tryon"), "keys", "create", "shop"], env=env,
                         capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "recommender.api:create_app()"], env=env)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_for(lambda: _status(f"{base}/openapi.json") == 200, 60, "gunicorn to answer")
        return [_status(f"{base}/garments", key) for _ in range(requests)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def test_two_gunicorn_workers_enforce_one_keys_limit_together(tmp_path):
    farm = LocalFarm(tmp_path)
    try:
        shared = _answers(os.environ | {"TRYON_DATA": str(tmp_path / "shared"),
                                        "TRYON_BROKER": farm.broker,
                                        "TRYON_RATE_LIMIT": str(LIMIT)}, 3 * LIMIT)
    finally:
        farm.close()
    assert shared.count(200) == LIMIT and shared.count(429) == 2 * LIMIT, shared
    # without the broker each worker counts alone, so the key gets more than its limit: the
    # requests above did reach both workers
    local = {name: value for name, value in os.environ.items() if name != "TRYON_BROKER"}
    alone = _answers(local | {"TRYON_DATA": str(tmp_path / "alone"),
                              "TRYON_RATE_LIMIT": str(LIMIT)}, 3 * LIMIT)
    assert set(alone) == {200, 429} and alone.count(200) > LIMIT, alone
