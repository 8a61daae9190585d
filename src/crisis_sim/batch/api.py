"""Batches: many seeded runs across a sweep grid, written to a folder chunk by chunk.

:func:`run_batch` is what ``crisis-sim batch`` calls, and what a notebook
calls; :func:`load_batch` reads a folder back. The folder format is specified
in ``docs/batch-format.md``. In short:

* a **plan** (:mod:`crisis_sim.batch.plan`) fixes everything before any work is dispatched:
  the grid of sweep points (every point's scenario validated), one seed per run from
  ``numpy.random.SeedSequence(seed)``, and chunks of consecutive run ids whose
  size depends on the arguments only;
* an **engine** (:mod:`crisis_sim.batch.engines`) computes chunks, anywhere, in any order;
* the parent writes each finished chunk's two Parquet files under a
  temporary name and renames them into place, so a killed batch leaves only
  whole files, and ``resume=True`` runs only the chunks that are missing.

The tables are therefore the same for any number of workers, any engine and
any interruption: the same arguments always give the same bytes. A folder is read back by
:mod:`crisis_sim.batch.result`; the command line it records is written by
:mod:`crisis_sim.batch.command`.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.batch import stops
from crisis_sim.batch.folder import (
    MANIFEST,
    SUMMARY_CSV,
    SUMMARY_MD,
    BatchError,
    BatchFolderExistsError,
    check_folder,
    default_out_dir,
    finish_manifest,
    is_batch_folder,
    prepare_folder,
    read_manifest,
    record_chunk,
)
from crisis_sim.batch.seeds import INDEPENDENT
from crisis_sim.batch.tables import write_chunk, write_text_atomic

if TYPE_CHECKING:

    from crisis_sim.batch.chunks import ChunkResult, ChunkTask
    from crisis_sim.batch.design import Design
    from crisis_sim.batch.engines.base import Engine
    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario.campaign import Campaign
from crisis_sim.batch.command import command_line, design_command, engine_flags, sweep_flags
from crisis_sim.batch.plan import (
    MAX_RUNS,
    MAX_WORKERS,
    BatchPlan,
    Progress,
    chunk_size_for,
    grid_points_of,
    plan_batch,
    plan_of,
)
from crisis_sim.batch.result import BatchIntegrityError, BatchResult, load_batch

__all__ = [  # the batch API: what the command line and the experiments use
    "MANIFEST",
    "MAX_RUNS",
    "BatchError",
    "BatchFolderExistsError",
    "BatchIntegrityError",
    "BatchPlan",
    "BatchResult",
    "BatchStopped",
    "check_engine_flags",
    "check_runs",
    "command_line",
    "default_out_dir",
    "engine_flags",
    "is_batch_folder",
    "load_batch",
    "plan_batch",
    "run_batch",
]


def run_batch(
    scenario: Scenario | Campaign | str | Path,
    runs: int,
    seed: int = 0,
    sweep: Any = None,
    workers: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    engine: str = "local",
    progress: Progress | bool | None = None,
    *,
    command: list[str] | None = None,
    chunk_size: int | None = None,
    source: str | None = None,
    scheduler: str | None = None,
    max_runs: int = MAX_RUNS,
    design: Design | None = None,
    independent_seeds: bool = False,
) -> BatchResult:
    """Run ``runs`` seeded replicates at every point of the sweep grid; write a batch folder.

    Args:
        scenario: a :class:`Scenario`, a scenario file, or a bundled scenario's name.
        runs: replicates per sweep point.
        seed: the root seed; run seeds are spawned from it before any work starts. A sweep's
            points share them (common random numbers: replicate ``r`` of every point has the
            seed of run ``r`` of a one-point batch) unless ``independent_seeds``.
        sweep: ``--sweep`` strings (``"path=v1,v2"``, ``"path=lo:hi:n"``),
            :class:`~crisis_sim.scenario.sweeps.Sweep` objects, or a ``{path: [values]}`` mapping.
        workers: worker processes (None: one per CPU; 1: in this process).
        out: the batch folder (None: ``runs/<scenario>-batch-<UTC time>``).
        resume: finish the folder ``out`` made with the same arguments.
        force: replace ``out`` if it is empty or a batch folder.
        engine: an engine name (:func:`crisis_sim.batch.engines.base.make_engine`).
        progress: ``progress(done, total)`` after each chunk, or True for a
            progress bar on stderr when it is a terminal.
        command: the command line to record (default: the equivalent ``crisis-sim batch``).
        chunk_size: runs per chunk (default: from the number of runs).
        source: how messages and the recorded command name the scenario.
        scheduler: a Dask scheduler address (``tcp://host:8786``) for
            ``engine="dask"``; None starts a local Dask cluster.
        max_runs: most runs in all (``runs`` times the grid's points), checked
            before anything is planned (default :data:`MAX_RUNS`).
        design: a sampled design whose rows are the points instead of a sweep
            grid (a sensitivity study: :mod:`crisis_sim.experiments.sensitivity.run`);
            its seed must be ``seed``.

    Returns:
        The folder read back as a :class:`BatchResult`.

    Raises:
        ScenarioError: a bad scenario, sweep path or sweep value (nothing written).
        BatchError: a bad number, engine or folder, or a resume that does not fit.
    """
    from crisis_sim.batch.chunks import ChunkWritten, run_and_write_chunk, run_chunk

    with _stop_on_signals() as stopped:  # SIGTERM, SIGHUP: stop as cleanly as Ctrl-C
        check_engine_flags(workers, engine)
        grid_points = grid_points_of(scenario, runs, seed, sweep, source, max_runs, design)
        reopening = resume and out is not None and Path(out).exists()
        if out is not None and not reopening:
            check_folder(Path(out), None, resume=resume, force=force)  # refuse before starting workers
        with contextlib.ExitStack() as held:  # the lock, released after the workers have stopped
            with contextlib.ExitStack() as stack:
                chosen = None
                if not reopening:
                    # A new folder: start the workers now, so that their imports overlap the planning.
                    n_runs = grid_points.n_runs
                    n_chunks = math.ceil(n_runs / (chunk_size or chunk_size_for(n_runs, grid_points.longest)))
                    chosen = _start_engine(stack, engine, workers, n_chunks, scheduler)
                plan = plan_of(grid_points, chunk_size, independent_seeds)
                folder = Path(out) if out is not None else default_out_dir(plan.name)
                if resume and chunk_size is None and is_batch_folder(folder):
                    size = read_manifest(folder).get("chunk_size")
                    if isinstance(size, int) and size >= 1:
                        plan = _with_chunk_size(plan, size)
                existing = check_folder(folder, plan, resume=resume, force=force)
                held.callback(_release, folder)  # removes the lock only if this process holds it
                done: set[int] = set()
                if existing is not None:
                    from crisis_sim.batch.integrity import verify

                    done = set(verify(folder, existing)[0])
                todo = [k for k in range(plan.n_chunks) if k not in done]
                if chosen is None and todo:
                    chosen = _start_engine(stack, engine, workers, len(todo), scheduler)
                manifest = prepare_folder(
                    folder,
                    plan,
                    resume=resume,
                    force=force,
                    command=command
                    or (design_command(plan, folder) if plan.design is not None else None)
                    or command_line(
                        plan.source,
                        plan.runs,
                        plan.seed,
                        folder,
                        sweeps=sweep_flags(plan.sweeps),
                        workers=workers,
                        engine=engine,
                        scheduler=scheduler,
                        independent_seeds=len(plan.points) > 1 and plan.seed_scheme == INDEPENDENT,
                    ),
                    engine=engine,
                    workers=chosen.workers if chosen is not None else 0,
                    say=_say,
                )
                done_runs = plan.n_runs - sum(_chunk_runs(plan, k) for k in todo)
                update = stack.enter_context(_progress(progress, _live_count(chosen, done_runs)))
                update(done_runs, plan.n_runs)
                if chosen is not None:
                    in_workers = getattr(chosen, "shares_files", False)
                    fn: Callable[[ChunkTask], ChunkResult | ChunkWritten] = (
                        partial(run_and_write_chunk, folder=str(folder)) if in_workers else run_chunk)
                    stopped()  # a signal whose exception was lost while the workers started
                    for result in chosen.map_chunks(fn, _tasks(plan, todo)):
                        # written in the worker when the engine shares the folder (in_workers)
                        files = (result.files if isinstance(result, ChunkWritten)
                                 else write_chunk(folder, result))
                        record_chunk(folder, manifest, result.chunk_id, files)
                        done_runs += result.n_runs
                        update(done_runs, plan.n_runs)
                        stopped()
            stopped()
            _finish(folder, BatchResult(folder, manifest))
        return load_batch(folder)


def check_engine_flags(workers: int | None, engine: str) -> None:
    """``--workers`` and the name of ``--engine``, as :func:`run_batch` checks them, touching nothing:
    the commands that make a folder of their own before their first batch (``backtest``,
    ``calibrate``) check them first, so that a bad one leaves nothing behind. BatchError in one line."""
    from crisis_sim.batch.engines.base import engine_names

    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise BatchError(f"--workers: must be a whole number >= 1, got {workers!r}")
    if workers is not None and workers > MAX_WORKERS:
        raise BatchError(f"--workers: at most {MAX_WORKERS} worker processes, got {workers}")
    if engine not in engine_names():
        names = ", ".join(engine_names())
        raise BatchError(f"--engine {engine}: unknown engine '{engine}'; engines: {names}")


def check_runs(runs: int, flag: str = "--runs", most: int = MAX_RUNS, what: str = "runs of a case") -> None:
    """A count of runs: a whole number from 1 to ``most`` (BatchError in one line), checked before
    anything is written by the commands that run one batch per case."""
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise BatchError(f"{flag}: must be a whole number >= 1, got {runs!r}")
    if runs > most:
        raise BatchError(f"{flag} {runs:,}: at most {most:,} {what}")


class BatchStopped(stops.Stopped):
    """A batch stopped by SIGTERM or SIGHUP, cleanly, as Ctrl-C stops it.

    Raised in the main thread by the handlers :func:`run_batch` installs
    (:func:`_stop_on_signals`): the workers are terminated, the folder's lock
    is released, and its finished chunks are kept for ``--resume``. A
    subclass of :class:`KeyboardInterrupt` (through :class:`~crisis_sim.batch.stops.Stopped`),
    so that whatever cleans up after Ctrl-C cleans up after these too.
    ``signum``: the signal's number; ``name``: its name.
    """


STOP_SIGNALS = stops.STOP_SIGNALS
"""Signals that stop a batch cleanly (when ``run_batch`` runs in the main thread)."""


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[Callable[[], None]]:
    """Turn SIGTERM and SIGHUP into :class:`BatchStopped` in the main thread, for the block only.

    By their default action these signals end the process at once: its
    workers die with it (:func:`crisis_sim.batch.engines.local.die_with_parent`)
    but its ``batch.lock`` stays behind, to be found stale later. Raised as an
    exception instead, they unwind the batch like Ctrl-C: workers terminated,
    lock released, folder resumable (``docs/batch-format.md``, "The lock").

    Only a signal whose disposition is the default (or the command line's own
    handler, :func:`crisis_sim.batch.stops.terminate`) is taken over: one that is
    ignored (``nohup`` ignores SIGHUP) or handled by the caller's own
    handler is left as it is. Outside the main thread nothing is installed
    (Python delivers signals to the main thread only). The first signal
    raises; later ones, while the batch unwinds, are ignored, so that the
    clean-up is not cut short. The previous handlers are restored on exit.

    The signal is also recorded, and the block is given a check to call at
    safe points (``stopped()``: after the workers start, after each chunk,
    before the batch is marked finished) that raises :class:`BatchStopped`
    if a signal came. Python runs a handler between two bytecodes of the main
    thread, wherever it is, and an exception raised while it is inside a
    finaliser or a weak-reference callback (which the process pool's start-up
    runs) is printed and dropped: without the check, a signal landing there
    was lost and the batch ran to the end with exit code 0.
    """
    import signal
    import threading

    came: list[int] = []

    def check() -> None:
        first = came[0] if came else (stops.requested[0] if stops.requested else None)
        if first is not None:
            raise KeyboardInterrupt if first == signal.SIGINT else BatchStopped(first)

    if threading.current_thread() is not threading.main_thread():
        yield check
        return

    def stop(signum: int, frame: object) -> None:
        if came:
            return
        came.append(signum)
        stops.seen.append(signum)  # for the command line, should the exception be lost on its way
        check()

    previous = {}
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) in (signal.SIG_DFL, stops.terminate):
            previous[number] = signal.signal(number, stop)
    if signal.getsignal(signal.SIGINT) in (signal.default_int_handler, stops.interrupt):  # Ctrl-C, recorded
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, stop)
    try:
        yield check
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _say(line: str) -> None:
    """A note about the folder (a chunk set aside, a stale lock taken over), on stderr."""
    print(line, file=sys.stderr, flush=True)


def _release(folder: Path) -> None:
    from crisis_sim.batch.lock import release

    release(folder)


def _start_engine(
    stack: contextlib.ExitStack, name: str, workers: int | None, n_chunks: int, scheduler: str | None = None
) -> Engine:
    """Make and enter the engine, with no more workers than chunks to run.

    An engine that cannot start (an unknown name, a missing extra, an
    unreachable scheduler: :class:`~crisis_sim.batch.engines.base.EngineError`) is bad
    input, reported before the folder is touched.
    """
    from crisis_sim.batch.engines.base import EngineError, default_workers, make_engine

    wanted = workers if workers is not None else default_workers()
    try:
        options = {"scheduler": scheduler} if scheduler else {}
        return stack.enter_context(make_engine(name, max(1, min(wanted, n_chunks)), **options))
    except EngineError as exc:
        raise BatchError(f"--engine {name}: {exc}") from None


def _with_chunk_size(plan: BatchPlan, size: int) -> BatchPlan:
    return replace(plan, chunk_size=size)


def _chunk_runs(plan: BatchPlan, chunk_id: int) -> int:
    start = chunk_id * plan.chunk_size
    return min(plan.chunk_size, plan.n_runs - start)


def _tasks(plan: BatchPlan, chunk_ids: Sequence[int]) -> Iterator[ChunkTask]:
    for k in chunk_ids:
        yield plan.task(k)


def _finish(folder: Path, result: BatchResult) -> None:
    """Write the summary files, then mark the manifest finished."""
    from crisis_sim.analysis.summary import summary_csv, summary_markdown

    summary = result.summary
    write_text_atomic(folder / SUMMARY_CSV, summary_csv(summary))
    write_text_atomic(folder / SUMMARY_MD, summary_markdown(summary, result.manifest))
    finish_manifest(folder, result.manifest)


class _Quiet:
    def __enter__(self) -> Progress:
        return lambda done, total: None

    def __exit__(self, *exc: object) -> None:
        return None


class _Callback:
    def __init__(self, callback: Progress):
        self.callback = callback

    def __enter__(self) -> Progress:
        return self.callback

    def __exit__(self, *exc: object) -> None:
        return None


def _live_count(engine: Engine | None, done: int) -> Callable[[], int] | None:
    """Runs done so far, counted as the workers finish them, when the engine counts them
    (``runs_finished``, the local engine): ``done`` (those of earlier chunks) plus the engine's."""
    if engine is None or not hasattr(engine, "runs_finished"):
        return None
    return lambda: done + int(engine.runs_finished)


def _progress(progress: Progress | bool | None, live: Callable[[], int] | None = None) -> Any:
    if callable(progress):
        return _Callback(progress)
    if progress and sys.stderr.isatty():
        from crisis_sim.batch.progress import RunsBar

        return RunsBar(live=live)
    return _Quiet()
