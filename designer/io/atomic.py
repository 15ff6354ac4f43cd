"""Saving a file safely: atomic replace, the previous version kept as ``.bak``, and the
temporary files of interrupted saves cleaned up (our own naming only)."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

EXTENSION = ".dcplan"
#: A temporary file of an interrupted save (``.name.dcplan.*.tmp``) older than this is
#: removed by the next save into its folder; a younger one may belong to a save still
#: running (another Designer writing the same file).
STALE_TEMPORARY_S = 600.0

BACKUP_SUFFIX = ".bak"


def backup_path(path: str | os.PathLike) -> Path:
    """Where the previous version of a design is kept: ``name.dcplan.bak`` beside it."""
    p = Path(path)
    return p.with_name(p.name + BACKUP_SUFFIX)


def _keep_backup(target: Path) -> None:
    bak = backup_path(target)
    tmp = bak.with_name(f".{bak.name}.{os.getpid()}.tmp")
    try:
        try:
            os.link(target, tmp)   # the old bytes, no copy; replaced atomically below
        except OSError:
            import shutil

            shutil.copy2(target, tmp)
        os.replace(tmp, bak)
    finally:
        if tmp.exists():
            tmp.unlink()


def _temporary_names(target: Path) -> re.Pattern:
    """The names of the temporary files a save of ``target`` makes: :func:`atomic_write_bytes`'
    ``.<name>.<8 of [a-z0-9_]>.tmp`` (``tempfile.mkstemp``) and :func:`_keep_backup`'s
    ``.<name>.bak.<pid>.tmp`` — for ``target`` itself and for any design file beside it."""
    name = re.escape(target.name)
    design = rf"[^/]+{re.escape(EXTENSION)}"
    return re.compile(rf"\.(?:{name}|{design})\.(?:[a-z0-9_]{{8}}|bak\.[0-9]+)\.tmp")


def remove_stale_temporaries(target: str | os.PathLike, older_than_s: float = STALE_TEMPORARY_S) -> list[Path]:
    """Remove the temporary files that interrupted saves (a kill, a power cut) left beside
    ``target``: only regular files of our own naming (see :func:`_temporary_names`) last
    written more than ``older_than_s`` ago, so that a save still running elsewhere keeps
    its own. Returns what was removed; a folder that cannot be listed is left alone."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    ours = _temporary_names(target)
    cutoff = time.time() - older_than_s
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not ours.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically (temporary file in the same folder, fsync,
    replace); first remove the stale temporary files earlier saves left beside it."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temporaries(target)
    import tempfile  # (here: reading a design, the report verbs, never needs it)

    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:  # keep the file's permissions, or give a new one the usual umask ones (not mkstemp's 0600)
            if target.exists():
                os.chmod(tmp_name, target.stat().st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp_name, 0o666 & ~umask)
        except OSError:
            pass
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
