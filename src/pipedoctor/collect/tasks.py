"""A bounded pool whose tasks may add tasks, each unique key run once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import Any


class Tasks:
    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self._lock = threading.Lock()
        self._futures: list[Future[Any]] = []
        self._keys: set[Hashable] = set()

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        future = self.pool.submit(function, *args)
        with self._lock:
            self._futures.append(future)

    def submit_once(self, key: Hashable, function: Callable[..., Any], *args: Any) -> None:
        """Submits unless a task with this key was submitted before in this run."""
        with self._lock:
            if key in self._keys:
                return
            self._keys.add(key)
        self.submit(function, *args)

    def wait(self) -> None:
        """Until every task, including those added meanwhile, is done; re-raises a task's bug."""
        while True:
            finished: list[Future[Any]] = []
            pending: list[Future[Any]] = []
            with self._lock:
                for future in self._futures:
                    (finished if future.done() else pending).append(future)
                self._futures = list(pending)
            for future in finished:
                future.result()
            if not pending:
                return
            wait(pending, return_when=FIRST_EXCEPTION)
