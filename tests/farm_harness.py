"""A render farm on this machine for the farm tests and ``make bench-farm``: a real Redis
(``redis-server`` on a free port, its data appended to disk so that a restart keeps it), a
SQLite job store, and real ``tryon farm worker`` processes."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from render_farm.farm_status import snapshot
from render_farm.store import JobStore

TRYON = str(Path(sys.executable).with_name("tryon"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout_s: float, what: str, every_s: float = 0.2):
    """Poll ``condition()`` until it returns something true; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every_s)
    raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")


class LocalFarm:
    def __init__(self, root: Path, lost_after_s: float = 8.0):
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is missing: `make test` installs it (Debian "
                               "package redis-server)")
        self.root, self.lost_after_s = root, lost_after_s
        self.port = free_port()
        self._redis_command = [server, "--port", str(self.port), "--bind", "127.0.0.1",
                               "--dir", str(root), "--appendonly", "yes", "--save", "",
                               "--logfile", str(root / "redis.log")]
        self.broker = f"redis://127.0.0.1:{self.port}/0"
        self.store_url = f"sqlite:///{root / 'farm.db'}"
        self.store = JobStore(self.store_url)
        self.workers: dict[str, subprocess.Popen] = {}
        self.redis = self._start_redis()

    @property
    def env(self) -> dict:
        return os.environ | {"TRYON_BROKER": self.broker, "TRYON_STORE": self.store_url}

    def _start_redis(self) -> subprocess.Popen:
        redis = subprocess.Popen(self._redis_command, stdout=subprocess.DEVNULL)
        wait_for(lambda: _answers(self.port), 10, "redis-server to accept connections")
        return redis

    def restart_broker(self, down_s: float = 2.0) -> None:
        """Shut Redis down (it flushes its append-only file), wait, start it again."""
        self.redis.send_signal(signal.SIGTERM)
        self.redis.wait(10)
        time.sleep(down_s)
        self.redis = self._start_redis()

    def start_worker(self, name: str, *options: str) -> subprocess.Popen:
        """``tryon farm worker --name NAME OPTIONS`` (default options ``--threads 1``);
        returns once its Celery consumer is ready."""
        log = self.root / f"{name}.log"  # appended to by each start
        before = log.stat().st_size if log.exists() else 0
        process = subprocess.Popen(
            [TRYON, "farm", "worker", "--name", name, "--lost-after", str(self.lost_after_s),
             *(options or ("--threads", "1"))],
            env=self.env, stdout=log.open("a"), stderr=subprocess.STDOUT)
        self.workers[name] = process
        wait_for(lambda: b"ready." in log.read_bytes()[before:] or process.poll() is not None,
                 60, f"worker {name} to start")
        if process.poll() is not None:
            raise RuntimeError(f"worker {name} exited: {log.read_text()[-2000:]}")
        return process

    def kill_worker(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.workers.pop(name)
        process.send_signal(sig)
        process.wait(120)

    def wait(self, job_id: str, timeout_s: float = 300) -> dict:
        """The job's snapshot once it has finished."""
        def finished():
            job = snapshot(self.store, job_id)["jobs"][0]
            return job if job["state"] != "active" else None
        return wait_for(finished, timeout_s, f"job {job_id} to finish", every_s=0.5)

    def close(self) -> None:
        for name in list(self.workers):
            self.kill_worker(name, signal.SIGTERM)
        self.redis.send_signal(signal.SIGTERM)
        self.redis.wait(10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False
