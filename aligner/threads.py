"""How many CPU threads this process's numeric libraries may use (BLAS and CTranslate2).

One per process by default. A BLAS that starts a thread per core in every process
oversubscribes a busy machine: its threads spin while they wait for each other, and a run
beside two other CPU-bound jobs on two cores took 8-12 times as long as on an idle machine
(one thread: about 1.5 times). More cores are used with more processes (``--jobs``, Dask
workers), or with ``--threads N`` for one process on a machine of its own.

The budget is applied to the BLAS numpy loaded (threadpoolctl) on first use of the
encoder, or by :func:`use_threads`; CTranslate2 is given the same number as its intra-op
threads. BLAS and CTranslate2 never run at once in a process, so neither oversubscribes
the cores given to it. Worker processes inherit ``OPENBLAS_NUM_THREADS`` and friends (see
:func:`worker_environment`), so their BLAS starts with one thread before numpy loads.
"""

from __future__ import annotations

import os

from aligner.errors import ConfigurationError

DEFAULT_THREADS = 1
# Read by OpenBLAS, OpenMP runtimes and MKL when they load (worker processes).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

_budget: int | None = None


def use_threads(count: int) -> None:
    """Let this process's BLAS and CTranslate2 use ``count`` threads from now on.

    >>> use_threads(0)
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: --threads must be at least 1, not 0
    """
    global _budget
    if count < 1:
        raise ConfigurationError(f"--threads must be at least 1, not {count}")
    import numpy  # noqa: F401 (its BLAS must be loaded for the limit to reach it)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=count, user_api="blas")  # stays in force (not used as a context)
    _budget = count


def thread_count() -> int:
    """The threads this process may use; the first call applies the default (one)."""
    if _budget is None:
        use_threads(DEFAULT_THREADS)
    return _budget or DEFAULT_THREADS


def blas_threads() -> int:
    """Threads the loaded BLAS would use now (the largest, if several are loaded)."""
    from threadpoolctl import threadpool_info

    return max((pool["num_threads"] for pool in threadpool_info()
                if pool["user_api"] == "blas"), default=0)


def worker_environment() -> None:
    """Make processes started from now on load their BLAS with one thread.

    A value the user set already is kept.
    """
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, str(DEFAULT_THREADS))
