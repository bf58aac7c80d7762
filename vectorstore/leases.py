"""Reader leases on committed generations, so an ingest never removes what a reader still uses.

A reader holds a shared lock on <index_dir>/leases/<generation>.lock for as long as it keeps
that generation open (the lock goes with the Lease object, and with the process if it dies).
After committing, an ingest removes an earlier generation's files, its collection and its
stale vectors only when it can take that lock exclusively; otherwise it leaves them for the
next ingest or the next reader that re-opens (see vectorstore.cleanup).

Order that makes this race-free: a reader reads CURRENT, takes the lease, then reads CURRENT
again and starts over if it changed; an ingest writes CURRENT before trying the exclusive lock.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

LEASES = "leases"


def lease_path(index_dir: Path, generation: int) -> Path:
    """Return the lock file of one generation's lease."""
    return Path(index_dir) / LEASES / f"{generation}.lock"


class Lease:
    """A shared lock on one generation; released by release() or when garbage collected."""

    def __init__(self, index_dir: Path, generation: int):
        self.generation = generation
        self._fd: int | None = None
        path = lease_path(index_dir, generation)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            # A read-only index folder (a copy shared with readers): nobody ingests there.
            return
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while an ingest is dropping this generation
        self._fd = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Give the generation back (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __del__(self):
        self.release()


def try_retire(index_dir: Path, generation: int) -> int | None:
    """Return an fd holding the exclusive lock of a generation no reader holds, or None when a
    reader still holds it. The caller removes the generation, then calls finish_retire."""
    path = lease_path(index_dir, generation)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def finish_retire(index_dir: Path, generation: int, fd: int) -> None:
    """Delete a retired generation's lock file and release it."""
    lease_path(index_dir, generation).unlink(missing_ok=True)
    os.close(fd)


def leased_generations(index_dir: Path) -> list[int]:
    """Return the generations that have a lock file (held or left behind)."""
    folder = Path(index_dir) / LEASES
    if not folder.is_dir():
        return []
    return sorted(int(p.stem) for p in folder.glob("*.lock") if p.stem.isdigit())
