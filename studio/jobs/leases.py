"""This engine's lease in the library, and which other engines are alive.

The file lock (store/lock.py) keeps a second engine from starting; the lease is what still
holds when the lock does not (a network filesystem that ignores it): every job an engine
claims, adopts or takes over names its lease, and an engine touches a job only while that
job's lease is its own or has expired. A lease expires when its heartbeat is older than
`ttl`, or at once when its process on this host is gone (a `kill -9`, a crash).
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterable

from studio.core.clock import Clock
from studio.store import Store
from studio.store.leases import LeaseRow

BEAT = 2.0  # seconds between heartbeats
TTL = 15.0  # a lease not beaten for this long has expired


class EngineLease:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        provider: str,
        holder: str,
        ttl: float = TTL,
    ) -> None:
        self.store, self.clock, self.provider, self.holder = store, clock, provider, holder
        self.ttl = ttl
        self.id: int | None = None
        self.host = socket.gethostname()

    def open(self) -> int:
        self.store.leases.prune(self.clock.wall() - 7 * 86_400)
        self.id = self.store.leases.open(
            holder=self.holder,
            host=self.host,
            pid=os.getpid(),
            provider=self.provider,
            at=self.clock.wall(),
        )
        return self.id

    def beat(self, state: str = "", message: str = "") -> None:
        if self.id is not None:
            self.store.leases.beat(self.id, at=self.clock.wall(), state=state, message=message)

    def end(self) -> None:
        if self.id is not None:
            self.store.leases.end(self.id, at=self.clock.wall())
            self.id = None

    def live(self) -> set[int]:
        """Ids of the leases alive now (this one included)."""
        now = self.clock.wall()
        return {
            lease.id
            for lease in self.store.leases.running()
            if lease.id == self.id or alive(lease, now, self.ttl, self.host)
        }


def alive(lease: LeaseRow, now: float, ttl: float, host: str) -> bool:
    if lease.ended_at is not None or now - lease.heartbeat_at > ttl:
        return False
    return lease.host != host or process_alive(lease.pid)


def process_alive(pid: int) -> bool:
    """Whether a process of this host is still running (a zombie is not)."""
    if sys.platform == "win32":  # pragma: no cover - the heartbeat decides there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def held_by_others(live: Iterable[int], mine: int | None) -> set[int]:
    return {lease for lease in live if lease != mine}
