"""Keep Blender's own console output (per-sample render progress) out of the user's terminal,
unless ``tryon --verbose`` asked for it (``TRYON_VERBOSE=1``, inherited from the engine)."""
from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from typing import Iterator


@contextlib.contextmanager
def blender_output_silenced() -> Iterator[None]:
    """Send the process's C-level stdout to /dev/null for the duration of the block."""
    if os.environ.get("TRYON_VERBOSE") == "1":
        yield
        return
    sys.stdout.flush()
    libc = ctypes.CDLL(None)
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        libc.fflush(None)
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
