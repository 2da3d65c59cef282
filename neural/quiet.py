"""Third-party output kept off the user's terminal unless asked for: ``tryon --verbose`` sets
``TRYON_VERBOSE=1``, which the processes it starts inherit.

Native libraries (mediapipe's TensorFlow Lite and absl) write to file descriptor 2 from C++,
so Python's logging cannot quiet them: their start-up lines are sent to /dev/null instead.
"""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

VERBOSE_VARIABLE = "TRYON_VERBOSE"


def verbose() -> bool:
    """Whether the user asked for third-party logs."""
    return os.environ.get(VERBOSE_VARIABLE) == "1"


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """The process's C-level stderr to /dev/null for the block, unless ``verbose()``. Python's
    own ``sys.stderr`` writes of the block go the same way, so keep the block narrow."""
    if verbose():
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_warp() -> None:
    """Warp without its banner, its per-module load lines, the timers that Newton prints, and
    (on machines without a GPU) the native line about the missing CUDA driver, unless
    ``verbose()``. Call before anything runs a Warp kernel (Anny's skinning, Newton's cloth)."""
    import warp as wp

    if verbose() or wp.ScopedTimer.enabled is False:
        return
    wp.config.quiet = True
    wp.config.log_level = wp.LOG_WARNING
    wp.ScopedTimer.enabled = False
    with native_stderr_silenced():
        wp.init()
