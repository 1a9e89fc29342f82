"""Where a Dask graph of the archive path runs: a ``dask.distributed`` cluster when one is given
(``ENVMON_DASK_SCHEDULER=tcp://host:port``), else a local scheduler on this machine.

The graph is the same either way (``service.archive_graph``); only the executor changes. A local
run with one worker is synchronous (in this process: what the 1 GiB address-space test uses); with
more, ``workers`` threads: pandas' CSV reader and numpy release the GIL for most of a chunk's work,
and threads share the arrays (worker processes measured the same wall time on a national year with
2.4 times the memory, every chunk pickled to and fro). A progress bar (tqdm, on stderr) counts
finished tasks when ``progress`` names it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, Final

import dask
import dask.base
from dask.callbacks import Callback
from distributed import Client, as_completed
from tqdm import tqdm

#: Local schedulers by worker count: one worker runs in this process.
LOCAL_ONE: Final = "synchronous"
LOCAL_MANY: Final = "threads"
#: A graph that only reads a Zarr store runs in threads too (numpy and the codecs release the GIL).
LOCAL_ARRAYS: Final = "threads"


class _TaskBar(Callback):
    """A tqdm bar over the tasks of a local run."""

    def __init__(self, label: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._label = label
        self._bar: tqdm[Any] | None = None

    def _start_state(self, dsk: Any, state: Any) -> None:
        total = sum(len(state[k]) for k in ("ready", "waiting", "running", "finished"))
        self._bar = tqdm(total=total, unit="task", desc=self._label)

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def _finish(self, dsk: Any, state: Any, errored: bool) -> None:
        if self._bar is not None:
            self._bar.close()


@contextmanager
def _local(workers: int, progress: str | None, parses: bool) -> Iterator[None]:
    kind = LOCAL_ONE if workers <= 1 else LOCAL_MANY if parses else LOCAL_ARRAYS
    bar = _TaskBar(progress) if progress else nullcontext()
    with dask.config.set(scheduler=kind, num_workers=workers), bar:
        yield


#: Low-level task fusion off: it inlines a chunk's read into each of the reductions that use it,
#: so every file would be parsed once per reduction.
NO_FUSION: Final = {"optimization.fuse.active": False}


def compute(
    *collections: Any,
    scheduler: str | None,
    workers: int,
    progress: str | None = None,
    parses: bool = True,
) -> tuple[Any, ...]:
    """Compute ``collections`` (Dask collections or delayed values) in one pass, sharing their
    common tasks, on the cluster at ``scheduler`` (``tcp://host:port``) or locally with
    ``workers`` threads (``parses``: the graph reads files; kept for the schedulers). Exceptions of the tasks
    (``BadArchiveFile``) are raised here."""
    with dask.config.set(NO_FUSION):
        return _compute(collections, scheduler, workers, progress, parses)


def _compute(
    collections: tuple[Any, ...],
    scheduler: str | None,
    workers: int,
    progress: str | None,
    parses: bool,
) -> tuple[Any, ...]:
    if scheduler:
        with Client(  # type: ignore[no-untyped-call]
            scheduler, set_as_default=False, timeout="30s"
        ) as client:
            futures = client.compute(list(collections))
            if progress:
                done = as_completed(futures)  # type: ignore[no-untyped-call]
                for _ in tqdm(done, total=len(futures), desc=progress):
                    pass
            return tuple(client.gather(futures))
    with _local(workers, progress, parses):
        return tuple(dask.base.compute(*collections))  # type: ignore[no-untyped-call]
