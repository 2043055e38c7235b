"""Where independent tasks run: in this process, in local processes, or on a Dask cluster.

Every executor has one method, :meth:`Executor.run`, that applies a picklable top-level
function to each item and yields ``(index, result)`` pairs as results arrive (any order), so
the caller can save each result at once (an interrupted run keeps what finished) and sort by
index for deterministic output. Errors raised by a task are re-raised in the caller.

>>> list(InProcessExecutor().run(abs, [-2, 3]))
[(0, 2), (1, 3)]
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from aligner.errors import ConfigurationError, show_warnings_on_one_line
from aligner.threads import worker_environment

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
R = TypeVar("R")
# Tasks kept in flight per worker: enough to keep workers busy, few enough that an
# interrupted run has little work half done and the client holds few pending results.
IN_FLIGHT_PER_WORKER = 4
CONNECT_TIMEOUT = 10.0  # seconds to reach a Dask scheduler before giving up
# tcp://HOST:PORT (or another Dask protocol; tcp:// may be left out), HOST a name or an address
SCHEDULER_ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
    r"|\[[0-9A-Fa-f:.]+\]):(\d{1,5})")
PR_SET_PDEATHSIG = 1  # prctl option: a signal for this process when its parent dies

# wraps an iterable of work items for display: (items, description, total) -> items
ProgressFactory = Callable[[Iterable[Any], str, int], Iterable[Any]]
# Like the built-in ``map``: applies a picklable function to each task, results in task order
# (``functools.partial(map_in_order, executor)`` is one).
MapTasks = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]


def no_progress(items: Iterable[Any], _description: str, _total: int) -> Iterable[Any]:
    """The :data:`ProgressFactory` that shows nothing."""
    return items


class Executor(Protocol):
    """Runs ``function`` over ``items`` (consumed lazily) and yields ``(index, result)`` as
    tasks finish."""

    name: str
    workers: int

    def run(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R]]: ...

    def close(self) -> None: ...


class InProcessExecutor:
    """Runs tasks one after another in this process (``--jobs 1``)."""

    name = "in-process"
    workers = 1

    def run(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R]]:
        for index, item in enumerate(items):
            yield index, function(item)

    def close(self) -> None:
        """Nothing to release."""


class _BoundedSubmitter:
    """Shared logic of the pool executors: keep a bounded number of tasks in flight."""

    workers: int

    def _submit(self, function: Callable[[Any], Any], item: Any) -> Any:
        raise NotImplementedError

    def _wait_any(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        raise NotImplementedError

    def run(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R]]:
        limit = max(1, self.workers * IN_FLIGHT_PER_WORKER)
        upcoming = iter(enumerate(items))
        index_of: dict[Any, int] = {}
        pending: set[Any] = set()
        try:
            while True:
                while len(pending) < limit:
                    nxt = next(upcoming, None)
                    if nxt is None:
                        break
                    future = self._submit(function, nxt[1])
                    index_of[future] = nxt[0]
                    pending.add(future)
                if not pending:
                    return
                done, pending = self._wait_any(pending)
                for future in sorted(done, key=index_of.__getitem__):
                    yield index_of.pop(future), future.result()
        finally:
            for future in pending:
                future.cancel()


class ProcessExecutor(_BoundedSubmitter):
    """Runs tasks in ``workers`` local processes (``--jobs N``), started with ``spawn``.

    ``spawn`` rather than ``fork``: the parent may already hold threads (BLAS, the encoder,
    CTranslate2) that a forked child would inherit in a broken state.
    """

    name = "processes"

    def __init__(self, workers: int) -> None:
        # Imported here: a run with --jobs 1 (the default) starts faster without them.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if workers < 1:
            raise ConfigurationError(f"--jobs must be at least 1, not {workers}")
        self.workers = workers
        # One BLAS thread per worker: N workers that each spin up a thread per core
        # oversubscribe the machine and run several times slower (see aligner.threads).
        worker_environment()
        self._pool = ProcessPoolExecutor(max_workers=workers,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=start_worker, initargs=(os.getpid(),))

    def _submit(self, function: Callable[[Any], Any], item: Any) -> Future[Any]:
        return self._pool.submit(function, item)

    def _wait_any(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        from concurrent.futures import FIRST_COMPLETED, wait

        done, still = wait(pending, return_when=FIRST_COMPLETED)
        return set(done), set(still)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def start_worker(parent: int) -> None:
    """Initializer of a worker process: end with its parent, however the parent ends.

    A parent killed with SIGKILL runs no cleanup, so each worker asks the kernel (Linux's
    ``PR_SET_PDEATHSIG``) for SIGKILL when its parent goes; elsewhere it does without.
    """
    show_warnings_on_one_line()
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


class DaskExecutor(_BoundedSubmitter):
    """Runs tasks on an existing Dask distributed cluster (``--dask-scheduler ADDRESS``).

    Workers need ``aligner`` installed (same version) and see their own caches
    (``ALIGNER_CACHE_DIR``); results travel back to this process, which writes every output,
    so workers need no shared file system.
    """

    name = "dask"

    def __init__(self, address: str, timeout: float | None = None) -> None:
        check_scheduler_address(address)
        try:
            from distributed import Client
        except ImportError as error:
            raise ConfigurationError("--dask-scheduler needs dask.distributed: "
                                     "pip install 'aligner[cluster]'") from error
        try:
            self._client = Client(address, timeout=timeout or CONNECT_TIMEOUT,
                                  set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise ConfigurationError(f"cannot reach the Dask scheduler at {address} ({error}); "
                                     "check the address (tcp://HOST:8786) and that the "
                                     "scheduler is running") from None
        self.address = address
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def _submit(self, function: Callable[[Any], Any], item: Any) -> Any:
        # pure=False: a task is never skipped as a duplicate of an earlier, equal-looking one.
        return self._client.submit(function, item, pure=False)

    def _wait_any(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        from distributed import wait as dask_wait

        with self._client.as_current():  # this client, not a process-wide default one
            done, still = dask_wait(list(pending), return_when="FIRST_COMPLETED")
        return set(done), set(still)

    def close(self) -> None:
        self._client.close()


def check_scheduler_address(address: str) -> None:
    """Refuse what cannot be a scheduler address before trying to connect to it.

    >>> check_scheduler_address("tcp://10.0.0.5:8786")
    >>> check_scheduler_address("not a url")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: --dask-scheduler 'not a url': not a scheduler address...
    """
    match = SCHEDULER_ADDRESS.fullmatch(address)
    if match is None or not 0 < int(match.group(1)) < 65536:
        raise ConfigurationError(f"--dask-scheduler {address!r}: not a scheduler address; "
                                 "give it as tcp://HOST:8786")


def map_in_order(executor: Executor, function: Callable[[T], R],
                 items: Iterable[T]) -> Iterator[R]:
    """Like the built-in ``map`` on ``executor``: results in item order, each yielded as soon
    as it and all before it have arrived.

    >>> list(map_in_order(InProcessExecutor(), abs, [-2, 3]))
    [2, 3]
    """
    arrived: dict[int, R] = {}
    following = 0
    for index, result in executor.run(function, items):
        arrived[index] = result
        while following in arrived:
            yield arrived.pop(following)
            following += 1


def make_executor(jobs: int = 1, dask_scheduler: str | None = None) -> Executor:
    """The executor for ``--jobs`` / ``--dask-scheduler`` (more than one job and a
    scheduler exclude each other: the cluster's size is its own).

    >>> make_executor(1).name
    'in-process'
    >>> make_executor(0)
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: --jobs must be at least 1, not 0
    """
    if dask_scheduler and jobs != 1:
        raise ConfigurationError(f"--jobs and --dask-scheduler exclude each other (--jobs "
                                 f"{jobs}): the cluster's workers do the work; give one")
    if dask_scheduler:
        return DaskExecutor(dask_scheduler)
    if jobs < 1:
        raise ConfigurationError(f"--jobs must be at least 1, not {jobs}")
    if jobs == 1:
        return InProcessExecutor()
    return ProcessExecutor(jobs)
