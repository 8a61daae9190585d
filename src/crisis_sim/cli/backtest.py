"""``crisis-sim backtest``: a thin command over :func:`crisis_sim.experiments.backtest.run.run_backtest`.

Registered on :data:`crisis_sim.cli.app.app` when ``crisis_sim.cli`` is imported.
Exit codes as everywhere: 0 success (whatever the score), 2 bad input (a case
file's problems, one line each naming file and field; nothing written), 1 an
unexpected error. Heavy imports happen inside the command so that
``crisis-sim --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from crisis_sim.cli.app import _fail, _refuse_inside, _refuse_locked, app, say, say_json
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


@app.command(cls=_OneLineUsageErrors, short_help="Score the model against real crises (a folder of cases).")
def backtest(
    folder: Annotated[
        Path | None,
        typer.Argument(metavar="FOLDER", show_default=False, help="Folder of case files: scenarios with a "
                       "history block. Default: the installed cases (the project's cases/)."),
    ] = None,
    runs: Annotated[
        int, typer.Option("--runs", "-n", min=1, metavar="N", help="Seeded runs of each case.")
    ] = 200,
    seed: Annotated[
        int, typer.Option("--seed", min=0, metavar="S", help="Root seed of every case's batch.")
    ] = 0,
    sets: CaseChanges = None,
    workers: Workers = None,
    engine: Engine = "local",
    scheduler: Scheduler = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="DIR", help="Folder to write. Default: runs/backtest-<UTC time>.",
                     show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing back-test folder.")] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted back-test in --out (same arguments): "
                           "its finished cases are kept.")
    ] = False,
    estimate_only: Annotated[
        bool, typer.Option("--estimate", help="Time a pilot (one run of each case), print the cost, run "
                           "nothing, write nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the scoreboard and totals as JSON instead of a table.")
    ] = False,
    baselines_from: Annotated[
        Path | None,
        typer.Option("--baselines-from", metavar="DIR", show_default=False,
                     help="A folder of cases whose records the baselines learn from too (not run): "
                     "score crises new to the model against baselines made from the cases it knows, "
                     "e.g. cases/. A case's own record never feeds its baselines."),
    ] = None,
) -> None:
    """Run every case of FOLDER as a batch and score the model against what really happened.

    For each case: the share of runs ending in the observed outcome class (95%
    Wilson interval), the modal simulated outcome, the Brier score of the
    outcome distribution, log10 of the simulated median time to decision over
    the observed one, and whether the measures imposed match. Beside the
    model's totals, the same totals of three leave-one-case-out baselines (the
    base rate of the other cases, their commonest class, their median time)
    and whether the model beats each. Writes backtest.csv, backtest.parquet,
    backtest.md, overall.json and each case's batch folder under cases/
    (docs/backtest.md). Says which case runs ("case 3 of 17") with the time left
    at that pace; Ctrl-C keeps the finished cases, and --resume --out DIR
    continues.
    """
    from crisis_sim.batch.api import BatchError
    from crisis_sim.experiments.backtest.run import default_out_dir, estimate_text, run_backtest
    from crisis_sim.scenario import ScenarioError

    check_run_flags(engine, scheduler, resume=resume, force=force, out=out)
    check_engine(workers, engine)
    if estimate_only:
        try:
            say(estimate_text(folder, runs, seed, workers, progress=True, changes=sets or ()), err=True)
        except ScenarioError as exc:
            _fail(exc.problems)
        except BatchError as exc:
            _fail(str(exc))
        return
    out = out if out is not None else default_out_dir()
    _refuse_inside(out)
    _refuse_locked(out)
    with kept_for_resume(out):
        try:
            result = run_backtest(folder, runs, seed, out, force=force, resume=resume, workers=workers,
                                  engine=engine, scheduler=scheduler, progress=True,
                                  note=lambda line: say(line, err=True), changes=sets or (),
                                  baselines_from=baselines_from)
        except ScenarioError as exc:
            _fail(exc.problems)
        except BatchError as exc:
            _fail(str(exc))

    from crisis_sim.experiments.backtest.scoring import scoreboard_text

    if as_json:
        cases = json.loads(result.table.to_json(orient="records"))  # NaN and NA become null
        document = {"path": str(result.path), "runs": runs, "seed": seed,
                    "cases": cases, "overall": result.overall}
        say_json(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=str))
    else:
        say(scoreboard_text(result.table, result.overall))
        say(f"\nBack-test folder: {result.path}")
