"""Engine processes: one ``tryon`` command run by the project's Python, followed while it works.

The one way the products start the engine: the Blender extension (out of Blender's process;
``build.py`` packs this module into the extension's zip), the storefront's try-ons (out of the
web server's process) and the farm's workers (each task in a process of its own). The command
reports its progress as JSON lines on stderr (``tryon --progress jsonl``: ``{"stage": ...,
"done": ..., "total": ...}``), prints its result on stdout and a failure as one line ``tryon:
error: ...`` on stderr (exit 2 for bad input, 1 for anything else). Standard library only.
"""
from __future__ import annotations

import json
import os
import subprocess
import threading
from typing import Callable

CANCEL_GRACE_S = 10.0  # after an interrupt, how long the command may take to stop cleanly
ERROR_PREFIX = "tryon: error: "


class EngineProcess:
    """A ``tryon`` command running in the engine's Python (``python -m render_farm.cli``).

    ``stage`` and ``fraction`` (0-1) follow its progress; once ``finished``, ``succeeded`` says
    how it ended, ``output`` holds what it printed on stdout and ``error`` its one-line reason
    when it failed. ``stdin`` is written to the command's standard input; ``env`` is added to
    this process's environment; ``log``, when given, receives every line the command prints
    (stdout and stderr, progress excepted) as it comes, from the reading threads.
    """

    def __init__(self, python: str, args: list[str], stdin: str | None = None,
                 env: dict[str, str] | None = None, log: Callable[[str], None] | None = None):
        command = [python, "-m", "render_farm.cli", "--progress", "jsonl", *args]
        try:
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env=os.environ | (env or {}), start_new_session=True)  # Ctrl-C stops us, not it
        except OSError as error:
            raise EngineError(f"cannot start the engine {python!r}: {error.strerror}") from error
        self.stage, self.fraction, self.cancelled = "starting", 0.0, False
        self._log = log or (lambda line: None)
        self._messages: list[str] = []
        self._output: list[str] = []
        self._readers = [threading.Thread(target=self._read_progress, daemon=True),
                         threading.Thread(target=self._read_output, daemon=True)]
        for reader in self._readers:
            reader.start()
        if stdin is not None:
            try:
                self._process.stdin.write(stdin)
                self._process.stdin.close()
            except BrokenPipeError:  # it ended before reading: its own error says why
                pass

    def _read_progress(self) -> None:
        for line in self._process.stderr:
            try:
                step = json.loads(line)
            except json.JSONDecodeError:
                step = None
            if isinstance(step, dict) and {"stage", "done", "total"} <= step.keys():
                self.stage = str(step["stage"])
                self.fraction = min(1.0, step["done"] / max(step["total"], 1))
            elif line.strip():
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


class EngineError(RuntimeError):
    """The engine could not be started (a wrong path to its Python)."""
