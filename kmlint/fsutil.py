"""Safe file access: regular files read within a size limit, never blocking; files replaced atomically, keeping their permissions."""

from __future__ import annotations

import os
import stat
import tempfile

from kmlint.errors import KmlintError


class Unreadable(Exception):
    """Why a file was not read: a `problem` ("missing", "folder", "not-regular", "too-large",
    "os-error", "bad-name") and its `detail` (the kind of file, the sizes, the system's reason),
    for each caller to put in its own one-line message."""

    def __init__(self, problem: str, detail: str = ""):
        super().__init__(problem, detail)
        self.problem = problem
        self.detail = detail

    def describe(self, what: str) -> str:
        """A message about the file called `what` ("config file", "baseline")."""
        if self.problem == "missing":
            return f"no such {what}"
        if self.problem == "folder":
            return f"{what} is a folder"
        if self.problem == "not-regular":
            return f"{what} is not a regular file ({self.detail})"
        if self.problem == "too-large":
            return f"{what} is too large ({self.detail})"
        if self.problem == "bad-name":
            return f"not a valid {what} name"
        return f"cannot read {what} ({self.detail})"


def size_problem(size: int, limit: int, exact: bool = True) -> str:
    """How far over its limit a file is, in bytes: "16 MiB" would hide the one byte too many."""
    limit_text = f"{limit / 2**20:g} MiB = {limit:,} bytes"
    return f"{size:,} bytes; the limit is {limit_text}" if exact else f"more than the limit of {limit_text}"


def read_regular(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; Unreadable for anything else.

    The file is opened without blocking and checked before it is read: opening a named pipe for
    reading waits for a writer (forever, in a hook), and a device such as /dev/zero never ends."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise Unreadable("missing") from None
    except IsADirectoryError:
        raise Unreadable("folder") from None
    except OSError as error:
        raise Unreadable("os-error", str(error.strerror or error)) from None
    except ValueError:  # a NUL character in the name
        raise Unreadable("bad-name") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("folder")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not-regular", file_type(info.st_mode))
        raise Unreadable("too-large", size_problem(info.st_size, limit))
    with os.fdopen(descriptor, "rb") as handle:
        try:
            # A byte more than its size: a file that grew since fstat (or reports no size, as
            # under /proc) is read on, up to a byte past the limit. (read(n) reserves n bytes.)
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(limit + 1 - len(data))
        except OSError as error:
            raise Unreadable("os-error", str(error.strerror or error)) from None
    if len(data) > limit:
        raise Unreadable("too-large", size_problem(len(data), limit, exact=False))
    return data


def file_type(mode: int) -> str:
    """What a path that is not a regular file is, for a message."""
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a plain file either"


class ChangedOnDisk(KmlintError):
    """The file changed between reading it and writing it back: nothing was written."""


class NotRegular(KmlintError):
    """The path to write is a folder, device or named pipe: nothing was written."""


def atomic_write(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix.

    With `expected`, the write is refused (ChangedOnDisk) when the file no longer holds those bytes.
    """
    # A symbolic link stays a link: the file it points to is the one replaced.
    path = os.path.realpath(path)
    folder = os.path.dirname(path)
    mode = None
    if os.path.exists(path):
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            # Renaming over /dev/null or a named pipe would replace it with a plain file.
            raise NotRegular(f"not a regular file ({file_type(info.st_mode)}); not written", path)
        mode = stat.S_IMODE(info.st_mode)
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


def write_problem(path: str) -> str | None:
    """Why atomic_write could not write `path`, when that can be told before anything is done (its
    folder is missing, or it is a folder, device or named pipe), else None."""
    target = os.path.realpath(path)
    if not os.path.isdir(os.path.dirname(target)):
        return "no such folder"
    if os.path.exists(target):
        mode = os.stat(target).st_mode
        if not stat.S_ISREG(mode):
            return f"it is {file_type(mode)}"
    return None


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
