"""Heavy work out of Blender's process: one ``tryon`` command run by the project's own Python
(the engine), its progress read from the command's JSON lines (``tryon --progress jsonl``).

Plain Python, no bpy: operators start a task and poll it from a timer, so Blender's UI never
waits on fitting or draping, and the same client is tested without Blender.
"""
from __future__ import annotations

import json
import subprocess
import threading

CANCEL_GRACE_S = 10.0  # after an interrupt, how long the command may take to stop cleanly


class EngineTask:
    """A ``tryon`` command running in the engine's Python. ``stage`` and ``fraction`` (0-1)
    follow its progress; once ``finished``, ``succeeded`` says how it ended, ``output`` holds
    what it printed and ``error`` its one-line reason when it failed."""

    def __init__(self, python: str, args: list[str]):
        command = [python, "-m", "render_farm.cli", "--progress", "jsonl", *args]
        try:
            self._process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, text=True,
                                             start_new_session=True)
        except OSError as error:
            raise EngineError(f"cannot start the engine {python!r}: {error.strerror}") from error
        self.stage, self.fraction, self.cancelled = "starting", 0.0, False
        self._messages: list[str] = []
        self._output: list[str] = []
        self._readers = [threading.Thread(target=self._read_progress, daemon=True),
                         threading.Thread(target=self._read_output, daemon=True)]
        for reader in self._readers:
            reader.start()

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

    def _read_output(self) -> None:
        self._output.extend(self._process.stdout)

    @property
    def finished(self) -> bool:
        return self._process.poll() is not None and not any(r.is_alive() for r in self._readers)

    @property
    def succeeded(self) -> bool:
        return self.finished and self._process.returncode == 0

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
            return reasons[-1].removeprefix("tryon: error: ").removeprefix("tryon: ")
        if self._messages:
            return self._messages[-1]
        return f"the engine stopped with exit status {self._process.returncode}"

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
            self._process.wait()
        for reader in self._readers:
            reader.join()


class EngineError(RuntimeError):
    """The engine could not be started (a wrong path in the preferences)."""
