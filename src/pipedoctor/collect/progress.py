"""Collection progress for people: which step a run is at, shown once it takes more than a second."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Self

from pipedoctor.collect.clients import CallCounter

Progress = Callable[[str], None]


class DelayedProgress:
    """Passes steps on to `sink` once the run has lasted `delay` seconds (a quick run says
    nothing), then each new step at once, and while one step lasts, a reminder every `every`
    seconds with the calls made so far.

    Use as a context manager: the reminders come from a thread that lives as long as the block.
    """

    def __init__(
        self,
        sink: Progress,
        counter: CallCounter,
        delay: float = 1.0,
        every: float = 5.0,
    ) -> None:
        self.sink = sink
        self.counter = counter
        self.delay = delay
        self.every = every
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._step = "starting"
        self._shown = ""  # the step last passed on
        self._shown_at = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="collect-progress", daemon=True)

    def __call__(self, step: str) -> None:
        with self._lock:
            self._step = step
        if time.monotonic() - self._started >= self.delay:
            self._show()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tick(self) -> None:
        if self._stop.wait(self.delay):
            return
        self._show()
        while not self._stop.wait(min(self.every, 1.0)):
            self._show()

    def _show(self) -> None:
        now = time.monotonic()
        with self._lock:
            step = self._step
            if step != self._shown:
                message = step
            elif now - self._shown_at >= self.every:
                elapsed = now - self._started
                message = f"{step} ({self.counter.total()} calls, {elapsed:.0f} s)"
            else:
                return
            self._shown, self._shown_at = step, now
        self.sink(message)
