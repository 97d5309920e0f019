"""Locks on files, held while a process runs: a console's journal (console/services/journal.py)
and a server's data file (console/backends/memory/disk.py) each belong to one process at a
time, and one that dies lets go of its lock."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


class FileLock:
    """An exclusive lock on a file, held while its owner runs (none where the platform has no
    flock: the pid written in the file tells instead)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("a+")

    def take(self) -> bool:
        try:
            import fcntl
        except ImportError:  # not POSIX: the pid written in the file tells instead
            self._file.seek(0)
            self._file.truncate()
            self._file.write(str(os.getpid()))
            self._file.flush()
            return True
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()


class TurnLock:
    """A lock several processes take in turn, waiting for it: each opens the file itself (a
    lock belongs to an opening, so one inherited across a fork would be shared, not taken).
    POSIX only, as the worker processes that need it are."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("a+")

    def try_take(self) -> bool:
        """Take the lock if it is free, at once; False when another process holds it."""
        import fcntl

        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def take(self) -> None:
        """Wait for the lock (blocks the calling thread)."""
        import fcntl

        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)

    def release(self) -> None:
        import fcntl

        fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
