"""Writing the files a user names (``--out``, ``--csv``, ``draw --out``, tables): one helper.

:func:`write_output` writes to a temporary file in the target's own folder and renames it over the
target, so

* a reader never sees a half-written file, and an interrupted write leaves the old file intact;
* a symbolic link at the target is replaced by the new file - the file the link pointed to is
  never opened or changed (a planted ``out.json -> ~/.bashrc`` cannot redirect the write);
* replacing an existing file (or link) is said, through the ``notify`` callback (the CLI prints it
  on stderr), never done silently.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

from .errors import ConfigError, show


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: "str | os.PathLike[str]", data: bytes, mode: "int | None" = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in its folder + fsync + rename (folder created).

    ``mode``: permission bits given to the new file before the rename (default: ``mkstemp``'s 0o600).
    A failed write removes the temporary file and leaves ``path`` as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_output(path: "str | os.PathLike[str]", data: "bytes | str", what: str = "output file",
                 notify: "Callable[[str], None] | None" = None) -> Path:
    """Write ``data`` (``str`` is written as UTF-8) to ``path`` through a temporary file and a rename.

    Args:
        path: the target; its folder is created if missing.
        data: the whole content.
        what: how messages call the file (``"--out file"``).
        notify: called with one sentence when an existing file or symbolic link is replaced.

    Returns:
        The target path.

    Raises:
        ConfigError: the target is a folder, or the file cannot be written (naming it and why).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigError(f"{what} must be a file path, got {show(path)}")
    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        if p.is_dir() and not p.is_symlink():
            raise ConfigError(f"{what} {show(str(p))} is a folder, not a file")
        existing = None
        if p.is_symlink():
            existing = f"{what} {str(p)!r} was a symbolic link (to {os.readlink(p)!r}); replaced the link with a " \
                       "new file (the file it pointed to is untouched)"
        elif p.exists():
            existing = f"replaced the existing {what} {str(p)!r}"
        atomic_write_bytes(p, raw, mode=0o666 & ~_umask())
    except OSError as exc:
        raise ConfigError(f"cannot write {what} {show(str(p))}: {exc.strerror or exc}") from None
    if existing and notify is not None:
        notify(existing)
    return p


def stderr_note(message: str) -> None:
    """``notify`` for the CLI: the sentence on stderr, as a note."""
    print(f"note: {message}", file=sys.stderr)


__all__ = ["atomic_write_bytes", "write_output", "stderr_note"]
