"""The one thread of the process that renders speech.

Every synthesis, ahead of time or needed now, runs here, one at a time, so a
speech engine is only ever driven from one place and never from the audio
callback. Work needed now goes before work done ahead; work ahead keeps the
order it was asked in (the order the prompts will be spoken).
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

NOW, AHEAD = 0, 1


@dataclass(order=True)
class _Job:
    priority: int
    order: int
    work: Callable[[], Any] = field(compare=False)
    future: Future[Any] = field(compare=False)


class SpeechWorker:
    def __init__(self) -> None:
        self._jobs: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], Any], priority: int = NOW) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put(_Job(priority, next(self._order), work, future))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
                self._thread.start()
        return future

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if not job.future.set_running_or_notify_cancel():
                continue  # cancelled while it waited
            try:
                job.future.set_result(job.work())
            except BaseException as error:  # handed to whoever waits for it
                job.future.set_exception(error)


_WORKER = SpeechWorker()


def speech_worker() -> SpeechWorker:
    return _WORKER
