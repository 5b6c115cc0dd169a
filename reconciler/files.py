"""Reading and writing the user's files safely: the one place that opens them.

Readers take regular files only (a FIFO would block forever, a device never ends), do not follow
a symbolic link out of the directory the user gave, and read at most a stated number of bytes.
Writers replace a file atomically (a reader sees the old bytes or the new ones, never half), write
to the path named and never through a link, refuse a read-only file, and can refuse a file that
changed since it was read. Every refusal is a `FileRefused` whose text says what and why, without
quoting the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from reconciler.errors import FileRefused

__all__ = [
    "FileChanged",
    "FileRefused",
    "append_whole",
    "open_for_append",
    "read_user_file",
    "write_atomically",
]


class FileChanged(FileRefused):
    """The file no longer holds the bytes it was read with: someone edited it meanwhile."""


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a directory",
}


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def read_user_file(path: str | os.PathLike[str], *, limit: int, root: Path | None = None) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    ``root`` is the directory the user gave: a symbolic link whose target lies outside it is
    refused, not followed (by default the file's own directory). Raises `FileRefused` for
    anything else than a readable regular file, and for a file longer than ``limit`` bytes.
    """
    given = Path(path)
    boundary = Path(os.path.realpath(root if root is not None else given.parent))
    if given.is_symlink():
        target = Path(os.path.realpath(given))
        if not _is_within(target, boundary):
            raise FileRefused(
                f"the file is a symbolic link to {target}, outside {boundary}; links out of the "
                "directory given are not followed: copy the file here instead"
            )
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
        fd = os.open(os.path.realpath(given), flags)
    except OSError as exc:
        raise FileRefused(
            f"cannot read the file ({exc.strerror or exc}); check the path and its permissions"
        ) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileRefused(
                f"the file is {_kind(mode)}, not a regular file; only regular files are read"
            )
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise FileRefused(
            f"cannot read the file ({exc.strerror or exc}); check the path and its permissions"
        ) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileRefused(
            f"the file is larger than {_size(limit)}, so it was not read; check that this is the "
            "right file"
        )
    return data


def _size(limit: int) -> str:
    return f"{limit // (1 << 20)} MiB" if limit >= 1 << 20 else f"{limit} bytes"


def write_atomically(
    path: str | os.PathLike[str],
    content: str | bytes,
    *,
    expected: bytes | None = None,
    mode: int | None = None,
) -> None:
    """Replace ``path`` by ``content`` (text is written as UTF-8), atomically and durably.

    The new file goes to ``path`` itself: a symbolic link there is replaced, never written
    through. An existing regular file keeps its permissions (``mode`` sets those of a new file,
    default 0o644); a read-only one, or anything but a regular file, is refused. With
    ``expected``, the file must still hold exactly those bytes just before the replace (it was
    not edited since it was read), else nothing is written (`FileChanged`). Raises
    `FileRefused`.
    """
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        current = os.lstat(target)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise FileRefused(f"cannot write the file ({exc.strerror or exc})") from None
    if current is not None and stat.S_ISREG(current.st_mode):
        # Root may write anything, so the permission bits are checked rather than access().
        if not current.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise FileRefused(
                "the file is read-only, so it was not replaced; make it writable (chmod u+w) "
                "if it should be updated"
            )
        mode = stat.S_IMODE(current.st_mode)
    elif current is not None and not stat.S_ISLNK(current.st_mode):
        raise FileRefused(
            f"the file is {_kind(current.st_mode)}, not a regular file; nothing was written"
        )
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o644 if mode is None else mode)
            if expected is not None:
                _check_unchanged(target, expected)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _sync_directory(target.parent)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise FileRefused(
            f"cannot write the file ({reason}); nothing was changed", reason=reason
        ) from None


def open_for_append(path: str | os.PathLike[str]) -> int:
    """A descriptor appending to the regular file at ``path`` (made with its directory).

    Raises `OSError` when it cannot be opened, or is not a regular file (a FIFO without a
    reader fails at once rather than blocking).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not target.is_file():
        raise OSError(errno.EINVAL, f"it is {_kind(target.stat().st_mode)}, not a regular file")
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # replaced between the check and the open
        os.close(fd)
        raise OSError(errno.EINVAL, f"it is {_kind(mode)}, not a regular file")
    return fd


def append_whole(fd: int, record: bytes) -> None:
    """Append ``record`` in one write, then fsync; on any failure cut it back off the file.

    So the file only ever holds whole records (lines), also on a full disk. Raises `OSError`.
    """
    start = os.fstat(fd).st_size
    try:
        if os.write(fd, record) != len(record):
            raise OSError(errno.ENOSPC, "only part of the record was written: disk full?")
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, start)
        raise


def _check_unchanged(target: Path, expected: bytes) -> None:
    try:
        now = read_user_file(target, limit=len(expected) + 1, root=target.parent)
    except FileRefused:
        now = None
    if now != expected:
        raise FileChanged(
            "the file changed on disk since it was read (edited meanwhile?), so it was not "
            "written; run the command again"
        )


def _sync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
