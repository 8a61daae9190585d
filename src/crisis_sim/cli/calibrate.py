"""``crisis-sim calibrate``: a thin command over :mod:`crisis_sim.experiments.calibration.run`.

Exit codes as everywhere: 0 success (whether or not the fit helps), 2 bad
input (one line per problem on stderr, naming the file and field; nothing
written), 1 an unexpected error. Heavy imports happen inside the command so
that ``crisis-sim --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crisis_sim.cli.app import _fail, _refuse_inside, _refuse_locked, app, say
from crisis_sim.cli.batch import _OneLineUsageErrors
from crisis_sim.cli.options import (
    CaseChanges,
    Engine,
    Scheduler,
    Workers,
    check_engine,
    check_run_flags,
    kept_for_resume,
)


@app.command(cls=_OneLineUsageErrors,
             short_help="Fit the shared dynamics to the back-test's cases (rejection ABC, leave-one-out).")
def calibrate(
    folder: Annotated[
        Path | None, typer.Argument(metavar="FOLDER", show_default=False, help="Folder of case files: "
                                    "scenarios with a history block. Default: the installed cases (the "
                                    "project's cases/).")
    ] = None,
    params: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", metavar="PATH=LO:HI", show_default=False,
                     help="A parameter to fit and its uniform prior (repeatable). Default: "
                     "pain_weight, audience_cost_scale, stake_scale, concern_days, decision_noise."),
    ] = None,
    cases: Annotated[
        list[str] | None,
        typer.Option("--case", metavar="NAME", show_default=False,
                     help="Fit only these cases of FOLDER (repeatable; at least two)."),
    ] = None,
    sets: CaseChanges = None,
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=2, metavar="N", help="Prior draws (a Latin hypercube).")
    ] = 40,
    runs: Annotated[
        int, typer.Option("--runs", "-r", min=2, metavar="R", help="Seeded runs of each case at each draw.")
    ] = 10,
    accept: Annotated[
        float, typer.Option("--accept", metavar="Q", help="Share of the draws kept: the closest ones.")
    ] = 0.2,
    seed: Annotated[
        int, typer.Option("--seed", min=0, metavar="S", help="Root seed of the draws and of every run.")
    ] = 0,
    workers: Workers = None,
    engine: Engine = "local",
    scheduler: Scheduler = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="DIR", show_default=False,
                     help="Calibration folder. Default: runs/calibration-<UTC time>."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted calibration in --out (same arguments).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing calibration folder.")] = False,
    estimate_only: Annotated[
        bool, typer.Option("--estimate", help="Time the pilot, print the cost, run nothing, write nothing.")
    ] = False,
) -> None:
    """Fit shared parameters to the back-test's cases by rejection ABC; cross-validate by leaving one out.

    Draws the parameters from uniform priors (a Latin hypercube), runs every
    case of FOLDER as a batch over the draws and at its current values, keeps
    the --accept share of draws closest to history, and prints the posterior
    and three scoreboards side by side: defaults, posterior (in sample) and
    leave-one-case-out. The cost is measured by a timed pilot and printed
    first. Writes calibration/ in the folder (docs/calibration.md).
    """
    from crisis_sim.batch.api import BatchError
    from crisis_sim.experiments.calibration.run import (
        check_out,
        done_runs,
        estimate,
        plan_calibration,
        run_calibration,
    )
    from crisis_sim.runs.safe_folders import timestamped_folder
    from crisis_sim.scenario import ScenarioError

    check_run_flags(engine, scheduler, resume=resume, force=force, out=out)
    check_engine(workers, engine)
    try:
        plan = plan_calibration(folder, params, draws, runs, seed, accept, cases or (), sets or ())
    except ScenarioError as exc:
        _fail(exc.problems)
    except BatchError as exc:
        _fail(str(exc))
    done = 0
    if not estimate_only:
        out = out if out is not None else timestamped_folder("calibration")
        _refuse_inside(out)
        _refuse_locked(out)
        try:
            if check_out(out, plan, resume=resume, force=force):  # before the pilot: refuse at once
                done = done_runs(out, plan)
        except BatchError as exc:
            _fail(str(exc))
    cost = estimate(plan, workers, done, progress=True)
    say(cost.text(plan), err=True)
    if estimate_only or out is None:
        return
    command = _command(folder, params, cases or [], draws, runs, accept, seed, workers, engine, scheduler,
                       out, sets or [])
    with kept_for_resume(out):
        try:
            result = run_calibration(plan, out, resume=resume, force=force, workers=workers, engine=engine,
                                     scheduler=scheduler, progress=True, command=command, cost=cost,
                                     note=lambda line: say(line, err=True))
        except ScenarioError as exc:
            _fail(exc.problems)
        except BatchError as exc:
            _fail(str(exc))

    from crisis_sim.experiments.calibration.report import summary_text

    say(summary_text(result.summary, result.scoreboard, result.totals, result.verdict,
                     accepted=len(result.posterior), draws=plan.draws))
    say(f"\nCalibration folder: {result.path} (report: {result.path / 'calibration' / 'report.md'})")


def _command(folder: Path | None, params: list[str] | None, cases: list[str], draws: int, runs: int,
             accept: float, seed: int, workers: int | None, engine: str, scheduler: str | None,
             out: Path, sets: list[str] | None = None) -> list[str]:
    """The command that makes this calibration, every choice spelled out (recorded in its folder)."""
    from crisis_sim.batch.api import engine_flags

    command = ["crisis-sim", "calibrate", *([] if folder is None else [str(folder)])]
    for item in params or []:
        command += ["--param", item]
    for name in cases:
        command += ["--case", name]
    for item in sets or []:
        command += ["--set", item]
    command += ["--draws", str(draws), "--runs", str(runs), "--accept", repr(accept), "--seed", str(seed)]
    command += engine_flags(workers, engine, scheduler)
    return [*command, "--out", str(out)]
