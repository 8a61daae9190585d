"""``crisis-sim compare`` and ``crisis-sim plot``: thin commands over the analysis library.

Registered on :data:`crisis_sim.cli.app.app` when ``crisis_sim.cli`` is imported.
The statistics are :func:`crisis_sim.experiments.compare.comparison.compare`; the files are
:func:`crisis_sim.experiments.compare.report.write_comparison`. Exit codes follow
:mod:`crisis_sim.cli.app`: 2 with one line per problem for bad input (a missing folder, a
folder that is not a batch, an unknown ``--by`` path, fewer than two groups).
Heavy modules are imported inside the commands so that ``--help`` stays fast.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crisis_sim.cli.app import PROG, _fail, _refuse_inside, _refuse_locked, app, say, say_json

if TYPE_CHECKING:
    from crisis_sim.batch import BatchResult


def _load_batches(folders: list[Path]) -> list[BatchResult]:
    """Read each batch folder; exit 2 with one line per folder that is missing or not a batch."""
    from crisis_sim.batch import load_batch
    from crisis_sim.batch.api import BatchError

    batches, problems = [], []
    for folder in folders:
        try:
            batch = load_batch(folder)
            if batch.runs.empty:
                problems.append(f"{folder}: the batch has no finished runs yet")
            batches.append(batch)
        except BatchError as exc:
            problems.extend(getattr(exc, "problems", None) or [str(exc)])
        except (OSError, ValueError) as exc:  # a damaged Parquet file
            problems.append(f"{folder}: cannot read the batch tables: {exc}")
    if problems:
        _fail(problems)
    return batches


# --------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------


def default_compare_dir(now: datetime | None = None) -> Path:
    """``runs/compare-<UTC timestamp>``, with a suffix if that is taken."""
    from crisis_sim.runs.safe_folders import timestamped_folder

    return timestamped_folder("compare", now)


@app.command("compare", short_help="Compare batches: outcome shares, differences, fan charts.")
def compare_command(
    folders: Annotated[
        list[Path],
        typer.Argument(
            help="Batch folders to compare (the first is the reference), or one batch with --by.",
            metavar="DIR...",
            show_default=False,
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="PARAM",
            help="Compare the values of this sweep path of one batch, pooled over its other sweeps.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Compare folder to write. Default: runs/compare-<UTC time>.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing compare folder.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the statistics as JSON to stdout instead of a summary.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", min=0, metavar="N", help="Seed of the bootstrap.")] = 0,
    resamples: Annotated[
        int, typer.Option("--resamples", min=1, metavar="B", help="Bootstrap resamples per group.")
    ] = 2000,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip the PNG figures.")] = False,
    crisis: Annotated[
        int | None,
        typer.Option(
            "--crisis",
            min=1,
            metavar="N",
            help="For the batches of a campaign: the crisis to compare (1 for the first). Default: the last.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compare batch folders, or the sweep points of one batch (--by), or two back-tests.

    Writes a compare folder: report.md, outcome_shares.csv, differences.csv,
    fan_charts.csv, comparison.json and the figures. Two back-test folders (the
    first the reference) are compared case by case instead, printed and not written:
    each case's share of runs ending as history did in each, its change, and whether
    that is more than sampling noise, then the totals of each (docs/backtest.md).
    """
    from crisis_sim.experiments.backtest.versus import is_backtest_folder

    backtests = [folder for folder in folders if is_backtest_folder(folder)]
    if backtests:
        _compare_backtests(folders, backtests, by=by, out=out, as_json=as_json)
        return
    if by is not None and len(folders) != 1:
        _fail(f"--by compares the sweep points of one batch; got {len(folders)} folders")
    if by is None and len(folders) < 2:
        _fail(f"{folders[0]}: nothing to compare it with; give two or more batch folders, or --by PARAM")

    from crisis_sim.experiments.compare.comparison import CompareError, compare
    from crisis_sim.experiments.compare.report import (
        COMPARISON,
        REPORT,
        CompareFolderError,
        check_compare_dir,
        render_summary,
        write_comparison,
    )

    out_dir = out if out is not None else default_compare_dir()
    _refuse_inside(out_dir)
    _refuse_locked(out_dir)
    try:
        check_compare_dir(out_dir, force=force)
    except CompareFolderError as exc:
        _fail(str(exc))
    batches = _load_batches(folders)
    try:
        comparison = compare(*batches, by=by, n_boot=resamples, seed=seed, crisis=crisis)
    except CompareError as exc:
        _fail(str(exc))
    for warning in comparison.warnings:
        say(f"warning: {warning}", err=True)
    command = [PROG, "compare", *map(str, folders)]
    if by is not None:
        command += ["--by", by]
    if crisis is not None:
        command += ["--crisis", str(crisis)]
    command += ["--out", str(out_dir), "--seed", str(seed), "--resamples", str(resamples)]
    if no_plots:
        command.append("--no-plots")
    try:
        folder = write_comparison(comparison, out_dir, force=force, plots=not no_plots, command=command)
    except CompareFolderError as exc:
        _fail(str(exc))
    if as_json:
        say_json((folder / COMPARISON).read_text(encoding="utf-8"), nl=False)
    else:
        say(render_summary(comparison))
        say(f"\nReport: {folder / REPORT}")


def _compare_backtests(folders: list[Path], backtests: list[Path], *, by: str | None, out: Path | None,
                       as_json: bool) -> None:
    """Print two back-tests compared case by case (:mod:`crisis_sim.experiments.backtest.versus`);
    exit 2 in one line for anything else given with them."""
    import json

    from crisis_sim.experiments.backtest.versus import NotABacktestError, backtest_difference, difference_text

    others = [str(folder) for folder in folders if folder not in backtests]
    if others:
        _fail(f"{others[0]}: not a back-test folder; compare back-tests with back-tests, "
              "batches with batches")
    if len(folders) != 2 or by is not None:
        _fail(f"compare two back-test folders (the first is the reference), with no --by; got {len(folders)}")
    if out is not None:
        _fail("--out: two back-tests are compared on the terminal; nothing is written")
    try:
        table, summary = backtest_difference(folders[0], folders[1])
    except NotABacktestError as exc:
        _fail(str(exc))
    if as_json:
        cases = json.loads(table.to_json(orient="records"))
        say_json(json.dumps({"summary": summary, "cases": cases}, indent=2, ensure_ascii=False))
    else:
        say(difference_text(table, summary))


# --------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------


def _is_run_folder(path: Path) -> bool:
    return (path / "trajectory.csv").is_file() and (path / "outcome.json").is_file()


def _replace_files(written: list[Path], folder: Path) -> list[Path]:
    """Move files drawn in a scratch folder into ``folder``, each replacing its old copy at once."""
    placed = []
    for path in written:
        target = folder / path.name
        path.replace(target)
        placed.append(target)
    return placed


@app.command("plot", short_help="Redraw the plots of a run or batch folder.")
def plot_command(
    folder: Annotated[
        Path,
        typer.Argument(help="A run folder or a batch folder.", metavar="DIR", show_default=False),
    ],
) -> None:
    """Redraw the plots of a run folder in place, or draw a batch folder's plots into it.

    A run folder gets escalation.png and costs_approval.png; a batch folder
    gets outcome_shares.png (per sweep point) and the fan charts
    fan_escalation.png, fan_cost.png and fan_approval.png.
    """
    from crisis_sim.batch.api import is_batch_folder

    if not folder.is_dir():
        _fail(f"{folder}: no such folder")
    try:  # the plots are drawn in a hidden folder inside FOLDER, then moved over the old ones
        if _is_run_folder(folder):
            written = _plot_run(folder)
        elif is_batch_folder(folder):
            written = _plot_batch(folder)
        else:
            _fail(
                f"{folder}: neither a run folder (trajectory.csv, outcome.json) "
                "nor a batch folder (manifest.json)"
            )
    except OSError as exc:  # a read-only or full folder
        _fail(f"{folder}: cannot write the plots: {exc.strerror or exc}")
    for path in written:
        say(str(path))


def _scratch(folder: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix=".tmp-plots-", dir=folder))


def _plot_run(folder: Path) -> list[Path]:
    from crisis_sim.present.plots import save_run_plots
    from crisis_sim.runs.run_folder import RunFolderError, read_run
    from crisis_sim.scenario import ScenarioError

    try:
        run = read_run(folder)
    except RunFolderError as exc:
        _fail(str(exc))
    except ScenarioError as exc:
        _fail(exc.problems)
    scratch = _scratch(folder)
    try:
        return _replace_files(save_run_plots(run, scratch), folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _plot_batch(folder: Path) -> list[Path]:
    from crisis_sim.experiments.compare.comparison import fan_charts, outcome_shares, point_groups
    from crisis_sim.present.plots import save_group_plots

    (batch,) = _load_batches([folder])
    groups = point_groups(batch)
    names: dict[str, str] = {}
    for group in groups:
        names.update(group.names)
    title = str(batch.manifest.get("scenario_name") or folder.name)
    scratch = _scratch(folder)
    try:
        written = save_group_plots(
            outcome_shares(groups),
            fan_charts(groups),
            scratch,
            names=names,
            groups=[g.label for g in groups],
            title=title,
            modes=fan_charts(groups, by_outcome=True),
        )
        return _replace_files(written, folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
