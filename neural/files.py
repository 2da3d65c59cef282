"""Writing outputs so that nothing is ever half-written: temporary name, then rename."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator


STAGING_TAG_VARIABLE = "TRYON_STAGING_TAG"


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json_atomic(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    write_bytes_atomic(path, (json.dumps(data, indent=2, sort_keys=False) + "\n").encode())


def write_bytes_atomic(path: str | os.PathLike, payload: bytes) -> None:
    """Write bytes to ``path`` through a temporary file in the same folder; the file gets the
    usual permissions (0666 less the umask), not the temporary file's private 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def staging_prefix(out_dir: str | os.PathLike, tag: str | None = None) -> str:
    """The name of ``out_dir``'s staging folders up to their random part, for ``tag``
    (default $TRYON_STAGING_TAG, else none)."""
    tag = tag if tag is not None else os.environ.get(STAGING_TAG_VARIABLE, "")
    return f".{Path(out_dir).name}.staging.{tag + '.' if tag else ''}"


@contextlib.contextmanager
def staged_output_dir(out_dir: str | os.PathLike) -> Iterator[Path]:
    """Yield a private staging folder; on success it becomes ``out_dir`` by one rename (or,
    where ``out_dir`` already exists, its files move in one by one).

    On any failure the staging folder is removed and ``out_dir`` is left as it was, so a stage
    either writes all of its files or none of them; a new ``out_dir`` appears whole even if the
    process is killed (the farm takes an existing task folder as done). The staging folder is
    ``.<name>.staging.<tag>.<random>`` beside ``out_dir``, its tag $TRYON_STAGING_TAG (a farm
    worker's attempt, so that it can remove what a killed attempt left).
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=staging_prefix(out_dir)))
    try:
        yield stage
        stage.chmod(0o755)  # mkdtemp's 0o700 would hide a farm's outputs from other users
        try:
            os.rename(stage, out_dir)  # fails where out_dir exists
        except OSError:
            out_dir.mkdir(parents=True, exist_ok=True)
            for item in stage.iterdir():
                os.replace(item, out_dir / item.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
