"""Batches: many seeded runs across a sweep grid, written to a folder chunk by chunk.

:func:`run_batch` is what ``crisis-sim batch`` calls, and what a notebook
calls; :func:`load_batch` reads a folder back. The folder format is specified
in ``docs/batch-format.md``. In short:

* a **plan** fixes everything before any work is dispatched: the grid of
  sweep points (every point's scenario validated), one seed per run from
  ``numpy.random.SeedSequence(seed)``, and chunks of consecutive run ids whose
  size depends on the arguments only;
* an **engine** (``engines.py``) computes chunks, anywhere, in any order;
* the parent writes each finished chunk's two Parquet files under a
  temporary name and renames them into place, so a killed batch leaves only
  whole files, and ``resume=True`` runs only the chunks that are missing.

The tables are therefore the same for any number of workers, any engine and
any interruption: the same arguments always give the same bytes.
"""

from __future__ import annotations

import json
import math
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.sweeps import Point, Sweep, check_sweeps, column_type, column_value, grid, parse_sweeps

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from crisis_sim.chunks import ChunkResult, ChunkTask, Columns
    from crisis_sim.scenario import Scenario

FORMAT = "crisis-sim-batch/1"
MANIFEST = "manifest.json"
RUNS_DIR = "runs"
TRAJECTORIES_DIR = "trajectories"
SUMMARY_CSV = "summary.csv"
SUMMARY_MD = "summary.md"
IDENTITY = ("scenario_hash", "runs", "seed", "sweep")
"""Manifest keys that fix a batch: ``resume`` refuses a folder that differs in any."""

MIN_CHUNK, MAX_CHUNK, TARGET_CHUNKS = 20, 250, 64
PARQUET_COMPRESSION = "zstd"

Progress = Callable[[int, int], None]
"""Called as ``progress(runs_done, runs_total)`` after each chunk (and once at the start)."""


class BatchError(Exception):
    """Bad batch input other than the scenario: a flag, a folder, a resume that does not fit."""


class BatchFolderExistsError(BatchError):
    """The output folder exists and neither ``resume`` nor ``force`` was given."""


# --------------------------------------------------------------------------
# The plan: everything fixed before dispatch
# --------------------------------------------------------------------------


def chunk_size_for(n_runs: int) -> int:
    """Runs per chunk: about 64 chunks, each of 20 to 250 runs (from ``n_runs`` only)."""
    return min(MAX_CHUNK, max(MIN_CHUNK, math.ceil(n_runs / TARGET_CHUNKS)))


def run_seeds(seed: int, n: int) -> np.ndarray:
    """The model seed of each run: child ``run_id`` of ``SeedSequence(seed).spawn(n)``.

    Child ``i`` of a fresh ``SeedSequence(seed)`` is ``SeedSequence(seed,
    spawn_key=(i,))``; building it directly gives the same seeds without
    holding ``n`` SeedSequence objects at once. Each child gives one 32-bit
    model seed: ``child.generate_state(1, dtype=uint32)[0]``.
    """
    import numpy as np

    return np.fromiter(
        (
            np.random.SeedSequence(seed, spawn_key=(i,)).generate_state(1, dtype=np.uint32)[0]
            for i in range(n)
        ),
        dtype=np.uint32,
        count=n,
    )


@dataclass(frozen=True)
class BatchPlan:
    """A batch fully laid out: points, their scenarios, seeds, chunks, columns."""

    scenario: Scenario
    source: str
    runs: int
    seed: int
    sweeps: tuple[Sweep, ...]
    points: tuple[Point, ...]
    scenarios: tuple[Scenario, ...]
    seeds: np.ndarray
    chunk_size: int
    columns: Columns

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.runs

    @property
    def n_chunks(self) -> int:
        return math.ceil(self.n_runs / self.chunk_size)

    def identity(self) -> dict[str, Any]:
        return {
            "scenario_hash": self.scenario.content_hash(),
            "runs": self.runs,
            "seed": self.seed,
            "sweep": [s.to_json() for s in self.sweeps],
        }

    def task(self, chunk_id: int) -> ChunkTask:
        from crisis_sim.chunks import ChunkTask

        start = chunk_id * self.chunk_size
        stop = min(start + self.chunk_size, self.n_runs)
        point_ids = range(start // self.runs, (stop - 1) // self.runs + 1)
        kinds = [kind for _, kind in self.columns.sweep]
        return ChunkTask(
            chunk_id=chunk_id,
            start=start,
            stop=stop,
            runs_per_point=self.runs,
            seeds=tuple(int(s) for s in self.seeds[start:stop]),
            scenarios={p: self.scenarios[p] for p in point_ids},
            sweep_values={
                p: tuple(
                    column_value(self.points[p].values[s.path], kind)
                    for s, kind in zip(self.sweeps, kinds, strict=True)
                )
                for p in point_ids
            },
            columns=self.columns,
        )


def _sweeps_from(sweep: Any) -> list[Sweep]:
    """Sweeps from ``--sweep`` strings, :class:`Sweep` objects, or a ``{path: values}`` mapping."""
    if sweep is None:
        return []
    if isinstance(sweep, str):
        sweep = [sweep]
    if isinstance(sweep, Mapping):
        sweep = [Sweep(str(path), _plain_values(values)) for path, values in sweep.items()]
    parsed = iter(parse_sweeps([s for s in sweep if isinstance(s, str)]))
    sweeps = [next(parsed) if isinstance(s, str) else s for s in sweep]
    check_sweeps(sweeps)
    return sweeps


def _plain_values(values: Any) -> tuple[Any, ...]:
    """Values as plain JSON types (numpy scalars become Python numbers)."""
    items = [values] if isinstance(values, str) else list(values)
    return tuple(json.loads(json.dumps(items, default=lambda v: v.item())))


def plan_batch(
    scenario: Scenario | str | Path,
    runs: int,
    seed: int = 0,
    sweep: Any = None,
    *,
    chunk_size: int | None = None,
    source: str | None = None,
) -> BatchPlan:
    """Lay out a batch and validate all of it; nothing runs and nothing is written.

    Raises :class:`~crisis_sim.scenario.ScenarioError` for a bad scenario,
    sweep path or sweep value (one line per problem), and :class:`BatchError`
    for bad numbers. ``source`` names the scenario in messages (default: its
    file, or its name for a :class:`Scenario`).
    """
    from crisis_sim.chunks import plan_columns
    from crisis_sim.model import CrisisModel
    from crisis_sim.scenario import Scenario, ScenarioError, load_scenario, resolve_scenario_path
    from crisis_sim.sweeps import point_scenarios

    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise BatchError(f"--runs: must be a whole number >= 1, got {runs!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise BatchError(f"--seed: must be a whole number >= 0, got {seed!r}")
    if isinstance(scenario, Scenario):
        base, source = scenario, source or scenario.name
    else:
        base, source = load_scenario(scenario), source or str(resolve_scenario_path(scenario))
    sweeps = _sweeps_from(sweep)
    points = grid(sweeps)
    scenarios = point_scenarios(base, sweeps, points, source)
    opening, problems = [], []
    for point, point_scenario in zip(points, scenarios, strict=True):
        try:
            model = CrisisModel(point_scenario, 0)
        except ScenarioError as exc:
            where = f"{source} with {point.label}: " if point.values else ""
            problems.extend(f"{where}{line}" for line in exc.problems)
            continue
        opening.append({k: v[0] for k, v in model.datacollector.model_vars.items()})
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    sweep_columns = [(s.path, column_type(s.values)) for s in sweeps]
    n_runs = len(points) * runs
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise BatchError(f"chunk_size: must be a whole number >= 1, got {chunk_size!r}")
    return BatchPlan(
        scenario=base,
        source=source,
        runs=runs,
        seed=seed,
        sweeps=tuple(sweeps),
        points=tuple(points),
        scenarios=tuple(scenarios),
        seeds=run_seeds(seed, n_runs),
        chunk_size=chunk_size or chunk_size_for(n_runs),
        columns=plan_columns(scenarios, opening, sweep_columns),
    )


# --------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def part_name(chunk_id: int) -> str:
    return f"part-{chunk_id:05d}.parquet"


def _tmp_name(path: Path) -> Path:
    """A hidden sibling name that no reader globbing ``*.parquet`` picks up."""
    return path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary sibling, then rename it to ``path``."""
    tmp = _tmp_name(path)
    try:
        write(tmp)
        tmp.replace(path)  # atomic: os.replace
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_parquet_atomic(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression=PARQUET_COMPRESSION))


def is_batch_folder(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST).is_file()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a batch folder; :class:`BatchError` if there is none or it is not one."""
    file = folder / MANIFEST
    if not folder.is_dir():
        raise BatchError(f"{folder}: no such batch folder")
    if not file.is_file():
        raise BatchError(f"{folder}: not a batch folder (no {MANIFEST})")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BatchError(f"{file}: cannot read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BatchError(f"{folder}: not a batch folder (manifest format is not {FORMAT})")
    return manifest


def done_chunks(folder: Path, n_chunks: int) -> set[int]:
    """Chunks whose two files both exist (each file appears whole or not at all)."""
    runs = folder / RUNS_DIR
    trajectories = folder / TRAJECTORIES_DIR
    return {
        k
        for k in range(n_chunks)
        if (runs / part_name(k)).is_file() and (trajectories / part_name(k)).is_file()
    }


def _remove_leftovers(folder: Path) -> None:
    """Delete temporary files a killed batch left behind."""
    for sub in (folder, folder / RUNS_DIR, folder / TRAJECTORIES_DIR):
        if sub.is_dir():
            for leftover in sub.glob(".*.tmp-*"):
                leftover.unlink(missing_ok=True)


def resume_mismatch(manifest: Mapping[str, Any], identity: Mapping[str, Any]) -> str | None:
    """Why a folder cannot be resumed with these arguments (None: it can)."""

    def sweep_text(sweeps: Any) -> str:
        items = [f"--sweep {s['path']}={','.join(map(str, s['values']))}" for s in sweeps or []]
        return " ".join(items) or "no --sweep"

    if manifest.get("scenario_hash") != identity["scenario_hash"]:
        return (
            f"the scenario differs (sha256 {str(manifest.get('scenario_hash'))[:12]} in the folder, "
            f"{identity['scenario_hash'][:12]} now)"
        )
    if manifest.get("runs") != identity["runs"]:
        return f"it was made with --runs {manifest.get('runs')}, not {identity['runs']}"
    if manifest.get("seed") != identity["seed"]:
        return f"it was made with --seed {manifest.get('seed')}, not {identity['seed']}"
    if manifest.get("sweep") != identity["sweep"]:
        return (
            f"it was made with {sweep_text(manifest.get('sweep'))}, not {sweep_text(identity['sweep'])}"
        )
    return None


def _new_manifest(plan: BatchPlan, command: list[str], engine: str, workers: int) -> dict[str, Any]:
    from crisis_sim.results import package_versions

    versions = package_versions()
    versions.pop("matplotlib", None)
    versions.pop("pydantic", None)
    try:
        import pyarrow

        versions["pyarrow"] = pyarrow.__version__
    except ImportError:  # pragma: no cover - a dependency
        versions["pyarrow"] = None
    return {
        "format": FORMAT,
        "scenario_name": plan.scenario.name,
        **plan.identity(),
        "scenario": plan.scenario.model_dump(mode="json"),
        "points": [p.to_json() for p in plan.points],
        "n_points": len(plan.points),
        "n_runs": plan.n_runs,
        "chunk_size": plan.chunk_size,
        "n_chunks": plan.n_chunks,
        "versions": versions,
        "command": list(command),
        "engine": engine,
        "workers": workers,
        "created_at": _now(),
        "finished_at": None,
    }


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    from crisis_sim.results import dumps

    write_text_atomic(folder / MANIFEST, dumps(manifest))


def _create_folder(out: Path, manifest: dict[str, Any]) -> None:
    """Make the folder with its manifest and empty table folders in one rename."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"{out}: cannot create parent folder: {exc.strerror}") from None
    tmp = out.parent / f".tmp-{out.name}-{secrets.token_hex(4)}"
    try:
        tmp.mkdir()
        (tmp / RUNS_DIR).mkdir()
        (tmp / TRAJECTORIES_DIR).mkdir()
        _write_manifest(tmp, manifest)
        tmp.rename(out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if out.exists():
            raise BatchFolderExistsError(f"{out}: already exists") from None
        raise BatchError(f"{out}: cannot create: {exc.strerror}") from None


def _replace_folder(out: Path) -> None:
    """With ``force``: remove ``out`` if it is empty or a batch (or run) folder; refuse otherwise."""
    if out.is_symlink() or not out.is_dir():
        raise BatchError(f"{out}: exists and is not a folder; not replacing it")
    if any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise BatchError(f"{out}: exists and is not a batch folder (no {MANIFEST}); not replacing it")
    old = out.parent / f".old-{out.name}-{secrets.token_hex(4)}"
    out.rename(old)
    shutil.rmtree(old, ignore_errors=True)


def prepare_folder(
    out: Path, plan: BatchPlan, *, resume: bool, force: bool, command: list[str], engine: str, workers: int
) -> dict[str, Any]:
    """Create, replace or reopen the batch folder; return its manifest.

    A folder that exists is left untouched unless ``resume`` (its identity must
    match the plan) or ``force`` (it must be empty or have a manifest).
    """
    if resume and force:
        raise BatchError("--resume and --force: give one or the other")
    exists = out.exists() or out.is_symlink()
    if exists and resume:
        manifest = read_manifest(out)
        reason = resume_mismatch(manifest, plan.identity())
        if reason:
            raise BatchError(f"{out}: cannot resume: {reason}")
        if manifest.get("chunk_size") != plan.chunk_size:
            raise BatchError(
                f"{out}: cannot resume: chunks of {manifest.get('chunk_size')} runs in the folder, "
                f"{plan.chunk_size} now"
            )
        _remove_leftovers(out)
        (out / RUNS_DIR).mkdir(exist_ok=True)
        (out / TRAJECTORIES_DIR).mkdir(exist_ok=True)
        manifest.update(command=list(command), engine=engine, workers=workers, finished_at=None)
        _write_manifest(out, manifest)
        return manifest
    if exists and not force:
        raise BatchFolderExistsError(
            f"{out}: already exists; use --resume to finish it or --force to replace it"
        )
    if exists:
        _replace_folder(out)
    manifest = _new_manifest(plan, command, engine, workers)
    _create_folder(out, manifest)
    return manifest


def write_chunk(folder: Path, result: ChunkResult) -> None:
    """A chunk's two files, each atomically; trajectories first, so runs mark it done."""
    name = part_name(result.chunk_id)
    write_parquet_atomic(result.trajectories, folder / TRAJECTORIES_DIR / name)
    write_parquet_atomic(result.runs, folder / RUNS_DIR / name)


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


class BatchResult:
    """A batch folder read back: manifest, and its tables as DataFrames (read when first used).

    ``runs``: one row per run; ``trajectories``: one row per run and round;
    ``summary``: one row per sweep point (see ``docs/batch-format.md``). A
    batch that was interrupted reads as far as its finished chunks go
    (``complete`` is false).
    """

    def __init__(self, path: Path, manifest: dict[str, Any]):
        self.path = Path(path)
        self.manifest = manifest

    def __repr__(self) -> str:
        return (
            f"BatchResult(path={str(self.path)!r}, scenario={self.manifest.get('scenario_name')!r}, "
            f"n_runs={self.manifest.get('n_runs')}, complete={self.complete})"
        )

    @property
    def complete(self) -> bool:
        return self.manifest.get("finished_at") is not None

    @cached_property
    def runs(self) -> pd.DataFrame:
        return read_table(self.path / RUNS_DIR, ["run_id"])

    @cached_property
    def trajectories(self) -> pd.DataFrame:
        return read_table(self.path / TRAJECTORIES_DIR, ["run_id", "round"])

    @cached_property
    def summary(self) -> pd.DataFrame:
        from crisis_sim.batch_summary import summarize

        columns = ["point_id", "outcome", "decided_at_hours"]
        actors = list((self.manifest.get("scenario") or {}).get("actors") or {})
        columns += [f"{kind}_{a}" for kind in ("cost", "approval") for a in actors]
        runs = read_table(self.path / RUNS_DIR, ["run_id"], columns=["run_id", *columns])
        return summarize(runs, self.manifest)


def read_table(folder: Path, order: list[str], columns: list[str] | None = None) -> pd.DataFrame:
    """Concatenate a table's parts (only ``columns`` if given), sorted by ``order``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        return _empty(columns)
    if columns is not None:
        available = set(pq.read_schema(parts[0]).names)
        columns = [c for c in columns if c in available]
    table = pa.concat_tables([pq.read_table(p, columns=columns) for p in parts])
    return table.to_pandas().sort_values(order, kind="stable").reset_index(drop=True)


def _empty(columns: list[str] | None) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=columns or [])


def load_batch(path: str | Path) -> BatchResult:
    """Read a batch folder written by :func:`run_batch` (complete or not).

    Raises :class:`BatchError` when ``path`` is not a batch folder.
    """
    folder = Path(path)
    return BatchResult(folder, read_manifest(folder))


def default_out_dir(scenario_name: str, now: datetime | None = None) -> Path:
    """``runs/<scenario>-batch-<UTC time>``, with a suffix if that is taken."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    base = Path("runs") / f"{scenario_name}-batch-{stamp}"
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def command_line(plan: BatchPlan, out: Path, workers: int | None, engine: str) -> list[str]:
    """The ``crisis-sim batch`` command that makes this batch (for the manifest)."""
    command = ["crisis-sim", "batch", plan.source, "--runs", str(plan.runs), "--seed", str(plan.seed)]
    for sweep in plan.sweeps:
        command += ["--sweep", f"{sweep.path}={','.join(_flag_value(v) for v in sweep.values)}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    if engine != "local":
        command += ["--engine", engine]
    return [*command, "--out", str(out)]


def _flag_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def run_batch(
    scenario: Scenario | str | Path,
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
) -> BatchResult:
    """Run ``runs`` seeded replicates at every point of the sweep grid; write a batch folder.

    Args:
        scenario: a :class:`Scenario`, a scenario file, or a bundled scenario's name.
        runs: replicates per sweep point.
        seed: the root seed; run seeds are spawned from it before any work starts.
        sweep: ``--sweep`` strings (``"path=v1,v2"``, ``"path=lo:hi:n"``),
            :class:`~crisis_sim.sweeps.Sweep` objects, or a ``{path: [values]}`` mapping.
        workers: worker processes (None: one per CPU; 1: in this process).
        out: the batch folder (None: ``runs/<scenario>-batch-<UTC time>``).
        resume: finish the folder ``out`` made with the same arguments.
        force: replace ``out`` if it is empty or a batch folder.
        engine: an engine name (``engines.make_engine``).
        progress: ``progress(done, total)`` after each chunk, or True for a
            progress bar on stderr when it is a terminal.
        command: the command line to record (default: the equivalent ``crisis-sim batch``).
        chunk_size: runs per chunk (default: from the number of runs).
        source: how messages and the recorded command name the scenario.

    Returns:
        The folder read back as a :class:`BatchResult`.

    Raises:
        ScenarioError: a bad scenario, sweep path or sweep value (nothing written).
        BatchError: a bad number, engine or folder, or a resume that does not fit.
    """
    from crisis_sim.chunks import run_chunk
    from crisis_sim.engines import make_engine

    plan = plan_batch(scenario, runs, seed, sweep, chunk_size=chunk_size, source=source)
    folder = Path(out) if out is not None else default_out_dir(plan.scenario.name)
    if resume and chunk_size is None and is_batch_folder(folder):
        manifest = read_manifest(folder)
        size = manifest.get("chunk_size")
        if isinstance(size, int) and size >= 1 and size != plan.chunk_size:
            plan = _with_chunk_size(plan, size)
    try:
        chosen = make_engine(engine, workers)
    except ValueError as exc:
        raise BatchError(f"--{'engine' if 'engine' in str(exc) else 'workers'}: {exc}") from None
    manifest = prepare_folder(
        folder,
        plan,
        resume=resume,
        force=force,
        command=command or command_line(plan, folder, workers, engine),
        engine=engine,
        workers=chosen.workers,
    )
    todo = [k for k in range(plan.n_chunks) if k not in done_chunks(folder, plan.n_chunks)]
    done_runs = plan.n_runs - sum(_chunk_runs(plan, k) for k in todo)
    report = _progress(progress)
    with report as update:
        update(done_runs, plan.n_runs)
        if todo:
            if getattr(chosen, "workers", 1) > len(todo):
                chosen = make_engine(engine, len(todo))
            with chosen:
                for result in chosen.map_chunks(run_chunk, _tasks(plan, todo)):
                    write_chunk(folder, result)
                    done_runs += result.n_runs
                    update(done_runs, plan.n_runs)
    result = BatchResult(folder, manifest)
    _finish(folder, result)
    return load_batch(folder)


def _with_chunk_size(plan: BatchPlan, size: int) -> BatchPlan:
    from dataclasses import replace

    return replace(plan, chunk_size=size)


def _chunk_runs(plan: BatchPlan, chunk_id: int) -> int:
    start = chunk_id * plan.chunk_size
    return min(plan.chunk_size, plan.n_runs - start)


def _tasks(plan: BatchPlan, chunk_ids: Sequence[int]) -> Iterator[ChunkTask]:
    for k in chunk_ids:
        yield plan.task(k)


def _finish(folder: Path, result: BatchResult) -> None:
    """Write the summary files, then mark the manifest finished."""
    from crisis_sim.batch_summary import summary_csv, summary_markdown

    summary = result.summary
    write_text_atomic(folder / SUMMARY_CSV, summary_csv(summary))
    write_text_atomic(folder / SUMMARY_MD, summary_markdown(summary, result.manifest))
    manifest = dict(result.manifest, finished_at=_now())
    _write_manifest(folder, manifest)


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


def _progress(progress: Progress | bool | None) -> Any:
    if callable(progress):
        return _Callback(progress)
    if progress and sys.stderr.isatty():
        from crisis_sim.progress import RunsBar

        return RunsBar()
    return _Quiet()
