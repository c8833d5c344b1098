"""One way to run work in the background: a coroutine on the event loop (qasync: the Qt
thread) or a blocking function on a worker thread. Its result, its failure (in words, and
logged) and its progress reach callbacks on the Qt thread; nothing is dropped silently.

A `Background` belongs to the widget it is parented to. The task is kept (asyncio holds
only a weak reference), a later operation with the same key cancels the earlier one
(latest wins), and when the owner is destroyed its operations are cancelled and no callback
reaches it. The window cancels every one of them when it closes (`cancel_all`) and waits
for them before the services close (`shutdown`).

A worker thread cannot be interrupted: cancelling drops its result and calls the `stop`
given with it (a flag the work checks), and the thread ends on its own.

asyncio is imported where it is first used: the window builds its runner before the event
loop, which starts after the first paint (ui/shell/app.py).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from PySide6.QtCore import QObject
from shiboken6 import isValid

from studio.core.errors import StudioError

if TYPE_CHECKING:
    import asyncio
    from typing import TypeAlias

    Stops: TypeAlias = dict[asyncio.Task[Any], Callable[[], None] | None]  # task, its stop

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class Failure:
    """An operation that raised: `message` is what to tell the person."""

    what: str  # what it was doing, as in "Could not <what>"
    error: Exception

    @property
    def message(self) -> str:
        if isinstance(self.error, StudioError):  # already a sentence for the person
            return str(self.error)
        said = type(self.error).__name__ + (f": {self.error}" if str(self.error) else "")
        return f"Could not {self.what}: {said}"


class Background(QObject):
    """The background operations of one owner (its Qt parent)."""

    def __init__(
        self, parent: QObject | None = None, *, report: Callable[[Failure], None] | None = None
    ) -> None:
        super().__init__(parent)
        self._report = report  # told of failures an operation has no `failed` for
        self._running: Stops = {}
        self._keyed: dict[str, asyncio.Task[Any]] = {}
        # A partial of the table, not a method: the wrapper may be gone when this is sent.
        self.destroyed.connect(functools.partial(_cancel, self._running))

    def run(
        self,
        work: Coroutine[Any, Any, T],
        what: str,
        *,
        key: str | None = None,
        done: Callable[[T], None] | None = None,
        failed: Callable[[Failure], None] | None = None,
    ) -> asyncio.Task[T]:
        """Run a coroutine on the event loop. `what` names it in messages and the log."""
        import asyncio

        return self._start(asyncio.ensure_future(work), what, key, done, failed, None)

    def run_in_thread(
        self,
        work: Callable[[], T],
        what: str,
        *,
        key: str | None = None,
        done: Callable[[T], None] | None = None,
        failed: Callable[[Failure], None] | None = None,
        stop: Callable[[], None] | None = None,
    ) -> asyncio.Task[T]:
        """Run a blocking function on a worker thread; `stop` is called if it is cancelled."""
        import asyncio

        task = asyncio.ensure_future(asyncio.to_thread(work))
        return self._start(task, what, key, done, failed, stop)

    def relay(self, callback: Callable[P, None]) -> Callable[P, None]:
        """`callback` made safe to call from a worker thread (progress, say): each call is
        made on the Qt thread, in order, and dropped once the owner is gone."""
        import asyncio

        loop = asyncio.get_event_loop()

        def deliver(*args: P.args, **kwargs: P.kwargs) -> None:
            if isValid(self):
                callback(*args, **kwargs)

        def forward(*args: P.args, **kwargs: P.kwargs) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody to tell
                loop.call_soon_threadsafe(functools.partial(deliver, *args, **kwargs))

        return forward

    def busy(self, key: str) -> bool:
        return key in self._keyed

    def cancel(self, key: str) -> None:
        task = self._keyed.pop(key, None)
        if task is not None:
            _cancel({task: self._running.get(task)})

    def cancel_all(self) -> None:
        _cancel(self._running)

    async def shutdown(self) -> None:
        """Cancel every operation and wait until each has ended."""
        import asyncio

        tasks = list(self._running)
        self.cancel_all()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(
        self,
        task: asyncio.Task[T],
        what: str,
        key: str | None,
        done: Callable[[T], None] | None,
        failed: Callable[[Failure], None] | None,
        stop: Callable[[], None] | None,
    ) -> asyncio.Task[T]:
        if key is not None:
            self.cancel(key)  # latest wins: the earlier one's result would be out of date
            self._keyed[key] = task
        self._running[task] = stop
        task.add_done_callback(functools.partial(self._ended, what, key, done, failed))
        return task

    def _ended(
        self,
        what: str,
        key: str | None,
        done: Callable[[T], None] | None,
        failed: Callable[[Failure], None] | None,
        task: asyncio.Task[T],
    ) -> None:
        self._running.pop(task, None)
        if key is not None and self._keyed.get(key) is task:
            del self._keyed[key]
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            if done is not None and isValid(self):
                done(task.result())
            return
        if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit: not ours
            return
        tell = failed or self._report
        if isinstance(error, StudioError):  # expected, in the person's words
            level = logging.INFO if tell is not None else logging.WARNING
            log.log(level, "could not %s: %s", what, error)
        else:
            log.error("could not %s", what, exc_info=error)
        if tell is not None and isValid(self):
            tell(Failure(what, error))


def _cancel(running: Stops) -> None:
    for task, stop in list(running.items()):
        if not task.done():
            if stop is not None:
                stop()
            with contextlib.suppress(RuntimeError):  # its loop has closed: it runs no more
                task.cancel()
