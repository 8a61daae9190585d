"""``crisis-sim sensitivity``: a thin command over
:func:`crisis_sim.experiments.sensitivity.run.run_sensitivity`.

Exit codes as everywhere: 0 success, 2 bad input (one line per problem on
stderr, nothing written), 1 an unexpected error. Heavy imports happen
inside the command so that ``crisis-sim --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crisis_sim.cli.app import _fail, _refuse_inside, app, say
from crisis_sim.cli.batch import _OneLineUsageErrors
from crisis_sim.cli.completion import complete_scenario
from crisis_sim.cli.options import Engine, Scheduler, Workers, check_run_flags, kept_for_resume


@app.command(
    cls=_OneLineUsageErrors,
    short_help="Which parameters drive the outcome: Morris, Sobol' or LHS over a sampled design.",
)
def sensitivity(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Scenario file, or the name of a bundled scenario. Default: the bundled us_colombia_2025.",
            show_default=False,
            metavar="SCENARIO",
            autocompletion=complete_scenario,
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option("--method", "-m", metavar="METHOD",
                     help="morris (screening), sobol (variance decomposition) or lhs (exploration)."),
    ] = "morris",
    params: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", metavar="PATH=LO:HI", show_default=False,
                     help="Vary a scenario value uniformly over LO..HI (repeatable), e.g. "
                     "actors.colombia.resolve.mean=0.3:0.7."),
    ] = None,
    assumptions: Annotated[
        bool,
        typer.Option("--assumptions",
                     help="Vary every number the scenario file marks '# ASSUMPTION', by ±--range "
                     "of its value (within what the schema accepts); --param ranges win."),
    ] = False,
    rel_range: Annotated[
        float,
        typer.Option("--range", metavar="R", help="Relative range for --assumptions: 0.3 is ±30%."),
    ] = 0.3,
    samples: Annotated[
        int,
        typer.Option("--samples", "-n", min=2, metavar="N",
                     help="Morris trajectories; Sobol' base sample (a power of two); LHS points."),
    ] = 10,
    replicates: Annotated[
        int, typer.Option("--replicates", "-r", min=1, metavar="R", help="Seeded runs at each design point.")
    ] = 10,
    levels: Annotated[
        int, typer.Option("--levels", min=2, metavar="L", help="Grid levels for morris (even).")
    ] = 4,
    no_dummy: Annotated[
        bool, typer.Option("--no-dummy", help="Leave out the dummy parameter that measures the noise floor.")
    ] = False,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="PATH=VALUE", show_default=False,
                     help="Change a scenario value for the whole study (repeatable)."),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", min=0, metavar="S", help="Root seed of the design and of every run.")
    ] = 0,
    workers: Workers = None,
    engine: Engine = "local",
    scheduler: Scheduler = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="DIR", show_default=False,
                     help="Study folder (a batch folder with sensitivity/ in it). "
                     "Default: runs/<scenario>-sensitivity-<UTC time>."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted study in --out (same arguments).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing study folder.")] = False,
    max_runs: Annotated[
        int, typer.Option("--max-runs", min=1, metavar="N", help="Refuse a study of more runs in all.")
    ] = 1_000_000,
) -> None:
    """Global sensitivity analysis: run a sampled design as a batch; write indices, figures and a report.

    The folder is a batch folder (docs/batch-format.md) with sensitivity/
    in it: report.md (the parameters that matter and those that don't, and
    how much variance is the model's own noise), indices and outputs as
    Parquet and CSV, and one figure per output. See docs/sensitivity.md.
    """
    from crisis_sim.batch.api import BatchError
    from crisis_sim.batch.design import Design, DesignError, Skipped, assumption_parameters, parse_parameters
    from crisis_sim.experiments.sensitivity.report import summary_text
    from crisis_sim.experiments.sensitivity.run import run_sensitivity
    from crisis_sim.runs.safe_folders import timestamped_folder
    from crisis_sim.scenario import DEFAULT_SCENARIO, ScenarioError, load_scenario, resolve_scenario_path

    check_run_flags(engine, scheduler, resume=resume, force=force, out=out)
    source = scenario or DEFAULT_SCENARIO
    try:
        loaded = load_scenario(source, sets or [])
        path = resolve_scenario_path(source)
        parameters = parse_parameters(loaded, params or [])
        skipped: list[Skipped] = []
        if assumptions:
            found, skipped = assumption_parameters(loaded, path, rel_range, [p.path for p in parameters])
            parameters += found
        design = Design(method, tuple(parameters), samples, seed=seed, levels=levels, dummy=not no_dummy)
    except ScenarioError as exc:
        _fail(exc.problems)
    except DesignError as exc:
        _fail(str(exc))
    out = out if out is not None else timestamped_folder(f"{loaded.name}-sensitivity")
    _refuse_inside(out)
    command = _command(source, design, replicates, seed, out, sets or [], workers, engine, scheduler,
                       assumptions, rel_range, params or [])
    with kept_for_resume(out):
        try:
            result, batch = run_sensitivity(
                loaded, design, replicates, out, skipped=skipped, command=command, workers=workers,
                engine=engine, resume=resume, force=force, progress=True, source=str(path),
                scheduler=scheduler, max_runs=max_runs,
            )
        except ScenarioError as exc:
            _fail(exc.problems)
        except (BatchError, DesignError) as exc:
            _fail(str(exc))
    say(summary_text(result, str(batch.path)))


def _command(
    source: str, design, replicates: int, seed: int, out: Path, sets: list[str], workers: int | None,
    engine: str, scheduler: str | None, assumptions: bool, rel_range: float, params: list[str],
) -> list[str]:
    """The command that makes this study, every choice spelled out (recorded in the manifest)."""
    from crisis_sim.batch.api import engine_flags

    command = ["crisis-sim", "sensitivity", source, "--method", design.method]
    for item in params:
        command += ["--param", item]
    if assumptions:
        command += ["--assumptions", "--range", repr(rel_range)]
    command += ["--samples", str(design.samples), "--replicates", str(replicates), "--seed", str(seed)]
    if design.method == "morris":
        command += ["--levels", str(design.levels)]
    if not design.dummy:
        command.append("--no-dummy")
    for item in sets:
        command += ["--set", item]
    command += engine_flags(workers, engine, scheduler)
    return [*command, "--out", str(out)]
