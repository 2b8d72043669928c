"""Safe writes: a file is replaced atomically (temp file + rename in the same folder), keeping its permissions."""

from __future__ import annotations

import os
import stat
import tempfile

from kmlint.errors import KmlintError


class ChangedOnDisk(KmlintError):
    """The file changed between reading it and writing it back: nothing was written."""


def atomic_write(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix.

    With `expected`, the write is refused (ChangedOnDisk) when the file no longer holds those bytes.
    """
    # A symbolic link stays a link: the file it points to is the one replaced.
    path = os.path.realpath(path)
    folder = os.path.dirname(path)
    mode = None
    if os.path.exists(path):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if expected is not None:
            with open(path, "rb") as handle:
                if handle.read() != expected:
                    raise ChangedOnDisk("file changed since it was read; not written", path)
    handle_fd, temporary = tempfile.mkstemp(prefix=".kmlint-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle_fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); where a folder cannot be opened (Windows), the rename stands as it is."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
