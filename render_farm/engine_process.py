"""Engine processes: ``tryon`` commands run by the project's Python, followed while they work.

The one way the products start the engine: the Blender extension (out of Blender's process;
``build.py`` packs this module into the extension's zip), the storefront's try-ons (out of the
web server's process) and the farm's workers (their tasks in a warm engine, ``EngineServer``).
A command reports its progress as JSON lines on stderr (``tryon --progress jsonl``: ``{"stage":
..., "done": ..., "total": ...}``), prints its result on stdout and a failure as one line
``tryon: error: ...`` on stderr (exit 2 for bad input, 1 for anything else). Standard library
only.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Callable

CANCEL_GRACE_S = 10.0  # after an interrupt, how long the command may take to stop cleanly
ERROR_PREFIX = "tryon: error: "
TASK_ENDED = "tryon: task ended "  # a warm engine's last line of each task, then JSON
ENGINE_READY = "tryon: engine ready"  # a warm engine's first line, once warmed up


class _Followed:
    """A ``tryon`` process whose stderr is read by a thread of its own: progress lines set
    ``stage`` and ``fraction``, any other line goes to ``_message``; its stdout goes line by
    line to ``_read_output``, in a second thread."""

    def _follow(self, process: subprocess.Popen) -> None:
        self._process = process
        self.stage, self.fraction = "starting", 0.0
        self._readers = [threading.Thread(target=self._read_progress, daemon=True),
                         threading.Thread(target=self._read_output, daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read_progress(self) -> None:
        for line in self._process.stderr:
            step = _progress_step(line)
            if step:
                self.stage, self.fraction = step
            elif line.strip():
                self._message(line)

    def _message(self, line: str) -> None:
        raise NotImplementedError

    def _read_output(self) -> None:
        raise NotImplementedError


class EngineProcess(_Followed):
    """A ``tryon`` command running in the engine's Python (``python -m render_farm.cli``).

    ``stage`` and ``fraction`` (0-1) follow its progress; once ``finished``, ``succeeded`` says
    how it ended, ``output`` holds what it printed on stdout and ``error`` its one-line reason
    when it failed. ``stdin`` is written to the command's standard input; ``env`` is added to
    this process's environment; ``log``, when given, receives every line the command prints
    (stdout and stderr, progress excepted) as it comes, from the reading threads.
    """

    def __init__(self, python: str, args: list[str], stdin: str | None = None,
                 env: dict[str, str] | None = None, log: Callable[[str], None] | None = None):
        self.cancelled = False
        self._log = log or _ignore
        self._messages: list[str] = []
        self._output: list[str] = []
        self._follow(_start(python, args, stdin is not None, env))
        if stdin is not None:
            try:
                self._process.stdin.write(stdin)
                self._process.stdin.close()
            except BrokenPipeError:  # it ended before reading: its own error says why
                pass

    def _message(self, line: str) -> None:
        self._messages.append(line.rstrip())
        self._log(line)

    def _read_output(self) -> None:
        for line in self._process.stdout:
            self._output.append(line)
            self._log(line)

    @property
    def finished(self) -> bool:
        return self._process.poll() is not None and not any(r.is_alive() for r in self._readers)

    @property
    def succeeded(self) -> bool:
        return self.finished and self._process.returncode == 0

    @property
    def returncode(self) -> int | None:
        """The exit status once finished (negative: killed by that signal), else None."""
        return self._process.returncode if self.finished else None

    @property
    def output(self) -> str:
        return "".join(self._output).strip()

    @property
    def error(self) -> str | None:
        """The command's own one-line reason (``tryon: error: ...``), else its last message."""
        if not self.finished or self._process.returncode == 0:
            return None
        if self.cancelled:
            return "cancelled"
        reasons = [m for m in self._messages if m.startswith("tryon: ")]
        if reasons:
            return reasons[-1].removeprefix(ERROR_PREFIX).removeprefix("tryon: ")
        if self._messages:
            return self._messages[-1]
        return f"the engine stopped with exit status {self._process.returncode}"

    def wait(self) -> None:
        """Block until the command has ended and everything it printed has been read."""
        self._process.wait()
        for reader in self._readers:
            reader.join()

    def cancel(self) -> None:
        """Stop the command with SIGTERM, which it takes as Ctrl-C (it keeps finished outputs
        and writes nothing half-made), and outright if it has not stopped within
        ``CANCEL_GRACE_S``."""
        if self._process.poll() is not None:
            return
        self.cancelled = True
        self._process.terminate()
        try:
            self._process.wait(CANCEL_GRACE_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self.wait()

    def kill(self) -> None:
        """Stop the command at once (SIGKILL): what it was writing stays half-made in its
        staging folder, for the caller to remove."""
        if self._process.poll() is None:
            self._process.kill()


@dataclass(frozen=True)
class Served:
    """How a warm engine's task ended: ``ok``, else ``error`` (one line) and ``bad_input``;
    ``returncode`` when the engine itself ended during the task (negative: by that signal)."""

    ok: bool
    error: str | None = None
    bad_input: bool = False
    returncode: int | None = None


class EngineServer(_Followed):
    """A warm engine: ``tryon ... task --serve`` kept running between tasks, its libraries and
    body model loaded once, running one task at a time (``serve``). ``stage`` and ``fraction``
    follow the running task; ``alive`` says whether it can take another; ``ready`` is set once
    it has warmed up (``on_ready`` is then called with the seconds that took, from a reading
    thread). A task that must stop at once is stopped with the engine (``kill``): start another
    for the next task.
    """

    def __init__(self, python: str, args: list[str], env: dict[str, str] | None = None,
                 on_ready: Callable[[float], None] | None = None):
        started = time.monotonic()
        self.ready = threading.Event()
        self._on_ready = lambda: (self.ready.set(), (on_ready or _ignore)(
            time.monotonic() - started))
        self._lines: queue.Queue[str | None] = queue.Queue()  # stdout, None at its end
        self._log: Callable[[str], None] = _ignore
        self._logging = threading.Lock()  # a task's log is let go only between two lines
        self._last_message = ""
        self._follow(_start(python, args, True, env))

    def _message(self, line: str) -> None:
        self._last_message = line.rstrip()
        with self._logging:
            self._log(line)

    def _read_output(self) -> None:
        for line in self._process.stdout:
            if line.rstrip() == ENGINE_READY:
                self._on_ready()
            else:
                self._lines.put(line)
        self._lines.put(None)

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def serve(self, request: dict, log: Callable[[str], None] | None = None) -> Served:
        """Run one task (``request`` as the engine reads it) and wait for its end; ``log``
        receives every line it prints (progress excepted), from this and a reading thread."""
        with self._logging:
            self._log = log or _ignore
        self.stage, self.fraction, self._last_message = "starting", 0.0, ""
        try:
            try:
                self._process.stdin.write(json.dumps(request) + "\n")
                self._process.stdin.flush()
            except (BrokenPipeError, ValueError):  # it ended before: say how, below
                pass
            while (line := self._lines.get()) is not None:
                if line.startswith(TASK_ENDED):
                    ended = json.loads(line[len(TASK_ENDED):])
                    return Served(bool(ended["ok"]), ended.get("error"),
                                  bool(ended.get("bad_input")))
                with self._logging:
                    self._log(line)
        finally:
            with self._logging:
                self._log = _ignore
        self._lines.put(None)  # the engine has ended: so it stays for any later request
        code = self._process.wait()
        for reader in self._readers:
            reader.join()
        if code < 0:
            reason = f"engine process ended: killed by {signal.Signals(-code).name}"
        else:
            reason = (self._last_message.removeprefix(ERROR_PREFIX)
                      or f"engine process ended with exit status {code}")
        return Served(False, reason, returncode=code)

    def kill(self) -> None:
        """Stop the engine at once (SIGKILL), and with it its task: what that was writing
        stays half-made in its staging folder, for the caller to remove."""
        if self._process.poll() is None:
            self._process.kill()

    def close(self, timeout_s: float = CANCEL_GRACE_S) -> None:
        """End the engine between tasks (the end of its input), outright if it lingers."""
        if self._process.poll() is None:
            try:
                self._process.stdin.close()
                self._process.wait(timeout_s)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        for reader in self._readers:
            reader.join()


class KeptEngine:
    """A warm engine kept for whatever comes: ``EngineServer(python, args, env, on_ready)``
    started by the first ``engine()`` and again by the first after it has ended. The engine
    dies with the thread that starts it (``PR_SET_PDEATHSIG``): call ``engine()`` from a thread
    that lives as long as it is needed."""

    def __init__(self, python: str, args: list[str], env: dict[str, str] | None = None,
                 on_ready: Callable[[float], None] | None = None):
        self._start = lambda: EngineServer(python, args, env, on_ready)
        self._engine: EngineServer | None = None

    def engine(self) -> EngineServer:
        if self._engine is None or not self._engine.alive:
            if self._engine is not None:
                self._engine.close()
            self._engine = self._start()
        return self._engine

    @property
    def ready(self) -> bool:
        """Whether an engine is up and warmed up."""
        return self._engine is not None and self._engine.alive and self._engine.ready.is_set()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()


def _ignore(*args) -> None:
    """A log (or callback) that keeps nothing."""


def _start(python: str, args: list[str], stdin: bool, env: dict[str, str] | None
           ) -> subprocess.Popen:
    """``python -m render_farm.cli --progress jsonl ARGS`` in a session of its own (Ctrl-C
    stops the caller, not it), stdout and stderr piped, stdin piped when ``stdin``."""
    command = [python, "-m", "render_farm.cli", "--progress", "jsonl", *args]
    try:
        return subprocess.Popen(
            command, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=os.environ | (env or {}), start_new_session=True)
    except OSError as error:
        raise EngineError(f"cannot start the engine {python!r}: {error.strerror}") from error


def _progress_step(line: str) -> tuple[str, float] | None:
    """(stage, fraction 0-1) from a progress line, None for any other line."""
    try:
        step = json.loads(line)
    except json.JSONDecodeError:
        return None
    if isinstance(step, dict) and {"stage", "done", "total"} <= step.keys():
        return str(step["stage"]), min(1.0, step["done"] / max(step["total"], 1))
    return None


class EngineError(RuntimeError):
    """The engine could not be started (a wrong path to its Python)."""
