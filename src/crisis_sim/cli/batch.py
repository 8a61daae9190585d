"""``crisis-sim batch``: a thin command over :func:`crisis_sim.batch.run_batch`.

Registered on :data:`crisis_sim.cli.app.app` when ``crisis_sim.cli`` is imported. Exit
codes as everywhere: 0 success, 2 bad input (one line per problem on stderr,
nothing written), 1 an unexpected error. Heavy imports happen inside the
command so that ``crisis-sim --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crisis_sim.cli.app import OneLineUsageErrors, _fail, _refuse_inside, _refuse_locked, app, say, say_json
from crisis_sim.cli.completion import complete_scenario
from crisis_sim.cli.options import Engine, Scheduler, Workers, check_run_flags, kept_for_resume

if TYPE_CHECKING:
    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario.campaign import Campaign


_OneLineUsageErrors = OneLineUsageErrors  # the name the other commands import


@app.command(
    cls=_OneLineUsageErrors, short_help="Run many seeded runs across sweeps; write a batch folder."
)
def batch(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Scenario file, campaign file, or the name of a bundled scenario. "
            "Default: the bundled us_colombia_2025.",
            show_default=False,
            metavar="SCENARIO",
            autocompletion=complete_scenario,
        ),
    ] = None,
    runs: Annotated[
        int, typer.Option("--runs", "-n", min=1, metavar="N", help="Seeded runs at each sweep point.")
    ] = 100,
    seed: Annotated[
        int,
        typer.Option("--seed", min=0, metavar="S", help="Root seed; every run's seed is spawned from it."),
    ] = 0,
    sweeps: Annotated[
        list[str] | None,
        typer.Option(
            "--sweep",
            metavar="PATH=V1,V2|PATH=LO:HI:N",
            help="Sweep a scenario value (repeatable; the grid is the product), e.g. "
            "actors.colombia.resolve.mean=0.2:0.8:4 or actors.colombia.policy=appeaser,tit_for_tat; "
            "on a campaign, belief_decay=0,0.5,1 or crises.1.actors.colombia.resolve.mean=0.3,0.6",
            show_default=False,
        ),
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=VALUE",
            help="Change a scenario value for the whole batch (repeatable); on a campaign, "
            "a campaign field (belief_decay=0.3) or one crisis's (crises.1.rounds=30, from 0).",
            show_default=False,
        ),
    ] = None,
    workers: Workers = None,
    engine: Engine = "local",
    scheduler: Scheduler = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Batch folder to write. Default: runs/<scenario>-batch-<UTC time>.",
            show_default=False,
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted batch in --out (same arguments).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing batch folder.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON to stdout instead of a table.")
    ] = False,
    max_runs: Annotated[
        int,
        typer.Option(
            "--max-runs",
            min=1,
            metavar="N",
            help="Refuse a batch of more runs in all (--runs times the sweep points).",
        ),
    ] = 1_000_000,
    show: Annotated[
        str | None,
        typer.Option(
            "--show",
            metavar="WHAT",
            help="Also print, per point, the share of runs decided in each variant (variants: e.g. "
            "face saving) and of runs in which each measure was imposed (measures); comma-separated, "
            "e.g. --show variants,measures. The files written are the same.",
            show_default=False,
        ),
    ] = None,
    independent_seeds: Annotated[
        bool,
        typer.Option("--independent-seeds", help="Give every run of a sweep its own seed. Default: the "
                     "points share their seeds (common random numbers), so a point's rows are the "
                     "batch --set of that point gives."),
    ] = False,
) -> None:
    """Run N seeded replicates at every point of a sweep grid; write a batch folder; summarise.

    The folder (docs/batch-format.md) holds manifest.json, the runs and
    trajectories tables as Parquet, summary.csv and summary.md. The tables
    are the same for any --workers. An existing folder is never touched
    without --resume (finish it; the arguments must match) or --force.
    """
    from crisis_sim.batch import run_batch
    from crisis_sim.batch.api import BatchError, command_line, default_out_dir
    from crisis_sim.scenario import DEFAULT_SCENARIO, ScenarioError, load_scenario, resolve_scenario_path

    check_run_flags(engine, scheduler, resume=resume, force=force, out=out)
    shown = _shown(show)
    from crisis_sim.scenario.campaign import is_campaign_file, load_campaign

    source = scenario or DEFAULT_SCENARIO
    campaign = is_campaign_file(source)
    try:
        path = str(resolve_scenario_path(source))
        if campaign:
            from crisis_sim.scenario.campaign_paths import set_changes

            loaded: Scenario | Campaign = load_campaign(path, set_changes(sets or [], path))
        else:
            loaded = load_scenario(source, sets or [])
    except ScenarioError as exc:
        _fail(exc.problems)
    out = out if out is not None else default_out_dir(loaded.name)
    _refuse_inside(out)
    command = command_line(
        source, runs, seed, out, sweeps=sweeps or [], sets=sets or [], workers=workers, engine=engine,
        scheduler=scheduler, independent_seeds=independent_seeds,
    )
    with kept_for_resume(out):
        try:
            result = run_batch(
                loaded,
                runs,
                seed=seed,
                sweep=list(sweeps or []),
                workers=workers,
                out=out,
                resume=resume,
                force=force,
                engine=engine,
                progress=True,
                command=command,
                source=path,
                scheduler=scheduler,
                max_runs=max_runs,
                independent_seeds=independent_seeds,
            )
        except ScenarioError as exc:
            _fail(exc.problems)
        except BatchError as exc:
            _fail(str(exc))

    from crisis_sim.analysis.summary import breakdown, records, summary_text

    extra = breakdown(result.runs, result.summary, shown) if shown else None
    if as_json:
        document = {
            "path": str(result.path),
            "scenario_name": result.manifest.get("scenario_name"),
            "scenario_hash": result.manifest.get("scenario_hash"),
            "runs": result.manifest.get("runs"),
            "seed": result.manifest.get("seed"),
            "sweep": result.manifest.get("sweep"),
            "n_runs": result.manifest.get("n_runs"),
            "summary": records(result.summary),
        }
        if extra is not None:
            document["shown"] = records(extra)
        say_json(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        say(summary_text(result.summary, result.manifest, result.path, extra))


def _shown(show: str | None) -> list[str]:
    """The kinds --show asks for, in the order of analysis.summary.SHOWN; exit 2 on another word."""
    from crisis_sim.analysis.summary import SHOWN

    if show is None:
        return []
    asked = [word.strip() for word in show.split(",") if word.strip()]
    unknown = [word for word in asked if word not in SHOWN]
    if unknown or not asked:
        _fail(f"--show {show}: unknown; expected {', '.join(SHOWN)} or both, comma-separated "
              "(--show variants,measures)")
    return [kind for kind in SHOWN if kind in asked]



@app.command(cls=_OneLineUsageErrors, short_help="Export a batch's tables as CSV (wide, or long/tidy).")
def export(
    folder: Annotated[
        Path, typer.Argument(metavar="BATCH", help="A batch folder written by `crisis-sim batch`.")
    ],
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="Output format: csv.")] = "csv",
    long: Annotated[
        bool, typer.Option("--long", help="Trajectories in long (tidy) form: one row per run, round and "
                           "quantity, instead of one column per quantity.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="DIR",
                                  help="Folder to write into. Default: BATCH-csv next to the batch.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing export folder (and only one of those).")
    ] = False,
) -> None:
    """Write runs.csv and trajectories.csv (or trajectories_long.csv with --long).

    The columns are those of the batch's Parquet tables, with each run's ids and
    sweep values in front of its trajectory rows; docs/batch-format.md has the
    glossary. The folder is written whole or not at all; an existing one is
    replaced only with --force, and only if it is an export folder.
    """
    if fmt != "csv":
        _fail(f"--format: unknown format '{fmt}'; the one format is csv")
    from crisis_sim.batch import BatchError, load_batch
    from crisis_sim.batch.export import export_csv

    try:
        loaded = load_batch(folder)
    except BatchError as exc:
        _fail(str(exc))
    target = out if out is not None else folder.parent / f"{folder.name}-csv"
    if target.resolve() == folder.resolve() or folder.resolve() in target.resolve().parents:
        _fail(f"--out {target}: inside the batch folder; choose a folder outside it")
    _refuse_inside(target)
    _refuse_locked(target)
    try:
        written = export_csv(loaded, target, long=long, force=force)
    except BatchError as exc:
        _fail(str(exc))
    for path in written:
        say(str(path))
