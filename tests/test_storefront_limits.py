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
WORKERS = 2
# gunicorn calls this in each worker once it has loaded the app: counting starts when both
# have (on a busy machine the second can still be loading while the first takes every request)
READY_HOOK = """import os
def post_worker_init(worker):
    open(os.path.join(os.environ["READY_DIR"], str(os.getpid())), "w").close()
"""


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


def _answers(env: dict, requests: int, folder: Path) -> list[int]:
    """Status codes of ``requests`` GET /v1/garments with one key (each on a new connection,
    which either of gunicorn's two workers may take), once both workers have loaded the app."""
    key = subprocess.run([str(BIN / "tryon"), "keys", "create", "shop"], env=env,
                         capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    (folder / "ready").mkdir(parents=True)
    (folder / "hooks.py").write_text(READY_HOOK)
    server = subprocess.Popen([str(BIN / "gunicorn"), "-w", str(WORKERS), "-b",
                               f"127.0.0.1:{port}", "-c", str(folder / "hooks.py"),
                               "--log-level", "warning", "recommender.api:create_app()"],
                              env=env | {"READY_DIR": str(folder / "ready")})
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_for(lambda: len(list((folder / "ready").iterdir())) == WORKERS, 120,
                 "both gunicorn workers to load the app")
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
                                        "TRYON_RATE_LIMIT": str(LIMIT)}, 3 * LIMIT,
                          tmp_path / "server_shared")
    finally:
        farm.close()
    assert shared.count(200) == LIMIT and shared.count(429) == 2 * LIMIT, shared
    # without the broker each worker counts alone, so the key gets more than its limit: the
    # requests above did reach both workers
    local = {name: value for name, value in os.environ.items() if name != "TRYON_BROKER"}
    alone = _answers(local | {"TRYON_DATA": str(tmp_path / "alone"),
                              "TRYON_RATE_LIMIT": str(LIMIT)}, 3 * LIMIT,
                     tmp_path / "server_alone")
    assert set(alone) == {200, 429} and alone.count(200) > LIMIT, alone
