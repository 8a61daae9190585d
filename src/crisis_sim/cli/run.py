"""``crisis-sim run``, ``validate``, ``schema`` and ``list``: one run and the scenario files."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crisis_sim.cli.app import PROG, _fail, _refuse_inside, _refuse_locked, app, say, say_json
from crisis_sim.cli.completion import complete_scenario
from crisis_sim.core.types import outcome_label

if TYPE_CHECKING:
    from crisis_sim.core.schema import Scenario

# --------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------


def default_out_dir(scenario_name: str, seed: int, now: datetime | None = None) -> Path:
    """``runs/<scenario>-seed<N>-<UTC timestamp>``, with a suffix if that is taken."""
    from crisis_sim.runs.safe_folders import timestamped_folder

    return timestamped_folder(f"{scenario_name}-seed{seed}", now)


def _command_line(
    scenario: str | None, seed: int, out: Path, sets: list[str], force: bool, plots: bool
) -> list[str]:
    """The command that reproduces this run, with every choice spelled out."""
    from crisis_sim.scenario import DEFAULT_SCENARIO

    command = [PROG, "run", scenario or DEFAULT_SCENARIO, "--seed", str(seed)]
    for item in sets:
        command += ["--set", item]
    command += ["--out", str(out)]
    if force:
        command.append("--force")
    if not plots:
        command.append("--no-plots")
    return command


@app.command(short_help="Run a scenario; write a run folder; summarise.")
def run(
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
    seed: Annotated[
        int, typer.Option("--seed", min=0, metavar="N", help="Random seed of the run.")
    ] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Run folder to write. Default: runs/<scenario>-seed<N>-<UTC time>.",
            show_default=False,
            file_okay=True,
            dir_okay=True,
        ),
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=VALUE",
            help="Change a scenario value (repeatable), e.g. actors.colombia.resolve.mean=0.9; on a "
            "campaign, a campaign field (belief_decay=0.3) or one crisis's (crises.1.rounds=30, from 0).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing run folder.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print outcome.json to stdout instead of a summary; "
                           "writes no run folder unless --out is given.")
    ] = False,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip the PNG plots.")] = False,
    narrate: Annotated[
        bool, typer.Option("--narrate", help="Tell the run round by round as a story, not a summary.")
    ] = False,
) -> None:
    """Run one scenario with one seed; write a run folder and summarise the outcome."""
    if narrate and as_json:
        _fail("--narrate and --json cannot be used together: --json prints outcome.json only")
    from crisis_sim.runs.run_folder import OUTCOME, RunFolderError, check_out_dir, write_run
    from crisis_sim.scenario import DEFAULT_SCENARIO, ScenarioError, load_scenario

    sets = sets or []
    from crisis_sim.scenario.campaign import is_campaign_file

    if scenario is not None and is_campaign_file(scenario):
        _run_campaign(scenario, seed, out, sets, force=force, as_json=as_json, plots=not no_plots,
                      narrate=narrate)
        return
    try:
        loaded = load_scenario(scenario or DEFAULT_SCENARIO, sets)
    except ScenarioError as exc:
        _fail(exc.problems)
    if as_json and out is None:  # the outcome on stdout is all that was asked for
        _print_outcome_only(loaded, seed)
        return
    out_dir = out if out is not None else default_out_dir(loaded.name, seed)
    _refuse_inside(out_dir)
    _refuse_locked(out_dir)
    try:
        check_out_dir(out_dir, force=force)
    except RunFolderError as exc:
        _fail(str(exc))

    from crisis_sim.runs.single_run import run_scenario

    started = datetime.now(UTC)
    with _status(f"Running {loaded.name} (seed {seed}) ..."):
        try:
            result = run_scenario(loaded, seed)
        except ScenarioError as exc:  # a problem only the model can see
            _fail(exc.problems)
        try:
            folder = write_run(
                result,
                out_dir,
                command=_command_line(scenario, seed, out_dir, sets, force, not no_plots),
                plots=not no_plots,
                force=force,
                started_at=started,
            )
        except RunFolderError as exc:
            _fail(str(exc))

    if as_json:
        say_json((folder / OUTCOME).read_text(encoding="utf-8"), nl=False)
    elif narrate:
        from crisis_sim.present.narrate import narrate as tell

        typer.echo(tell(result, color=sys.stdout.isatty() and "NO_COLOR" not in os.environ), nl=False)
        say(f"\nRun folder: {folder}")
    else:
        say(summary(loaded, seed, result.outcome, folder))


def _print_outcome_only(loaded: Scenario, seed: int) -> None:
    """``run --json`` without ``--out``: the run's outcome.json on stdout, no folder written."""
    from crisis_sim.runs.run_folder import dumps
    from crisis_sim.runs.single_run import run_scenario
    from crisis_sim.scenario import ScenarioError

    try:
        result = run_scenario(loaded, seed)
    except ScenarioError as exc:  # a problem only the model can see
        _fail(exc.problems)
    say_json(dumps(result.outcome), nl=False)


def _run_campaign(
    source: str, seed: int, out: Path | None, sets: list[str], *, force: bool, as_json: bool, plots: bool,
    narrate: bool,
) -> None:
    """``crisis-sim run CAMPAIGN``: every crisis in turn; a campaign folder with a run folder each."""
    from crisis_sim.runs.campaign import CAMPAIGN_JSON, check_campaign_dir, run_campaign, write_campaign
    from crisis_sim.runs.run_folder import RunFolderError, dumps
    from crisis_sim.runs.safe_folders import timestamped_folder
    from crisis_sim.scenario import ScenarioError, resolve_scenario_path
    from crisis_sim.scenario.campaign import load_campaign
    from crisis_sim.scenario.campaign_paths import set_changes

    try:
        path = resolve_scenario_path(source)
        campaign = load_campaign(path, set_changes(sets, str(path)))
    except ScenarioError as exc:
        _fail(exc.problems)
    if as_json and out is None:  # campaign.json on stdout is all that was asked for
        try:
            result = run_campaign(campaign, seed)
        except ScenarioError as exc:
            _fail(exc.problems)
        command = [PROG, "run", source, "--seed", str(seed), *(x for item in sets for x in ("--set", item))]
        say_json(dumps({**result.summary, "command": command}), nl=False)
        return
    out_dir = out if out is not None else timestamped_folder(f"{campaign.name}-seed{seed}")
    _refuse_inside(out_dir)
    _refuse_locked(out_dir)
    try:
        check_campaign_dir(out_dir, force=force)
    except RunFolderError as exc:
        _fail(str(exc))
    command = [PROG, "run", source, "--seed", str(seed)]
    for item in sets:
        command += ["--set", item]
    command += ["--out", str(out_dir)]
    command += ["--force"] if force else []
    command += [] if plots else ["--no-plots"]
    started = datetime.now(UTC)
    with _status(f"Running campaign {campaign.name} (seed {seed}) ..."):
        try:
            result = run_campaign(campaign, seed)
        except ScenarioError as exc:
            _fail(exc.problems)
        try:
            folder = write_campaign(result, out_dir, command=command, plots=plots, force=force,
                                    started_at=started)
        except RunFolderError as exc:
            _fail(str(exc))
    if as_json:
        say_json((folder / CAMPAIGN_JSON).read_text(encoding="utf-8"), nl=False)
    elif narrate:
        from crisis_sim.present.narrate import narrate as tell

        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        told: set[int] = set()
        for crisis, run in zip(campaign.crises, result.crises, strict=True):
            if id(run) in told:  # crises run together are told once, as one run
                continue
            told.add(id(run))
            together = campaign.group_of(crisis.index).crises
            say(f"=== {' + '.join(campaign.crises[k].label for k in together)} ===")
            typer.echo(tell(run, color=color), nl=False)
            say("")
        say(f"Campaign folder: {folder}")
    else:
        say(campaign_text(result.summary, folder))


def campaign_text(summary: dict[str, Any], folder: Path) -> str:
    """A short human summary of a campaign run: each crisis's outcome and the beliefs it opened with."""
    half_life = summary.get("half_life_days")
    decay = f"Beliefs carried with decay {summary['belief_decay']:g}"
    if half_life:
        decay += f" and a half-life of {half_life:g} days"
    lines = [f"{summary['title']}  [{summary['campaign']}, seed {summary['seed']}]", decay, ""]
    for crisis in summary["crises"]:
        verdict = outcome_label(crisis.get("outcome") or "?")
        hours = crisis.get("decided_at_hours")
        when = "not decided" if hours is None else f"decided after {float(hours):g} h"
        together = crisis.get("run_with")
        if together:
            when += (f"; opens at hour {float(crisis['opens_at_hours']):g}, run together with crises "
                     + ", ".join(str(k) for k in together))
        lines.append(f"{crisis['crisis']}. {crisis['label']}: {verdict} ({when})")
        opened = crisis.get("beliefs_at_start") or {}
        closed = crisis.get("beliefs_at_end") or {}
        for key in sorted(opened):
            end = closed.get(key, {}).get("mean")
            lines.append(f"     mean resolve of {key} as believed: {opened[key]['mean']:.2f} at the start"
                         + (f", {end:.2f} at the end" if end is not None else ""))
    lines += ["", f"Campaign folder: {folder} (a run folder per crisis, campaign.json)"]
    return "\n".join(lines)


class _NoStatus:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _status(message: str) -> Any:
    """A spinner on stderr when it is a terminal; silent when piped."""
    if not sys.stderr.isatty():
        return _NoStatus()
    from rich.console import Console

    return Console(stderr=True).status(message)


_REACHED = {"imposed": "imposed", "threatened": "threatened only", "suspended": "threatened only"}


def _measure_table(measures: dict[str, dict[str, Any]]) -> list[str]:
    """Measures imposed first, then those only threatened, then the unused, one line each."""
    rows = []
    for measure_id, info in measures.items():
        reached = _REACHED.get(str(info.get("furthest")), "not used")
        final = str(info.get("final") or "-")
        hours = info.get("imposed_hours")
        in_force = f"{float(hours):g} h" if hours else "-"
        order = ("imposed", "threatened only", "not used").index(reached)
        rows.append((order, str(info.get("label") or measure_id), reached, final, in_force))
    rows.sort(key=lambda row: row[0])
    width = min(max(len(row[1]) for row in rows), 40) + 2
    lines = [f"  {'measure':<{width}}{'reached':<17}{'at the end':<12}{'in force':>9}"]
    lines += [
        f"  {label[:40]:<{width}}{reached:<17}{final:<12}{in_force:>9}"
        for _, label, reached, final, in_force in rows
    ]
    return lines


def _posterior_line(scenario: Scenario, outcome: dict[str, Any]) -> list[str]:
    """Which kept draw of the calibrated posterior the run took (its record's ``posterior_draw``),
    with the fitted values its scenario leaves unstated (docs/calibration.md); nothing when it
    draws none."""
    from crisis_sim.core import calibrated
    from crisis_sim.core.run_record import POSTERIOR_DRAW

    k = outcome.get(POSTERIOR_DRAW)
    if k is None:
        return []
    draw = calibrated.POSTERIOR[k]
    values = ", ".join(f"{path.rpartition('.')[2]} {draw[path]:.4g}" for path in scenario.posterior)
    return [f"Shared parameters: kept draw {k + 1} of {len(calibrated.POSTERIOR)} of the calibrated "
            f"posterior ({values})"]


def summary(scenario: Scenario, seed: int, outcome: dict[str, Any], folder: Path) -> str:
    """A short human summary of one run's outcome."""
    from crisis_sim.present.decided import compliance_words, decision_lines, hours_text

    names = {key: actor.name for key, actor in scenario.actors.items()}
    demands = [issue.demand_words for issue in scenario.issues]
    lines = [f"{scenario.title}  [{scenario.name}, seed {seed}]", *_posterior_line(scenario, outcome), ""]
    lines += decision_lines(outcome, start=scenario.start, horizon=scenario.rounds, names=names,
                            complied=compliance_words(demands))
    if outcome.get("first_flight_hours") is not None and len(outcome.get("issues") or []) <= 1:
        first = "First flight landed" if demands[0] is None else "Demand carried out"
        lines.append(f"{first} after {hours_text(float(outcome['first_flight_hours']))}")

    measures: dict[str, dict[str, Any]] = outcome.get("measures") or {}
    if measures:
        lines += ["", *_measure_table(measures)]

    costs: dict[str, float] = outcome.get("costs_usd_bn") or {}
    approval: dict[str, float] = outcome.get("approval") or {}
    if costs or approval:
        lines += ["", f"  {'government':<22}{'cost (USD bn)':>14}{'approval (%)':>14}"]
        for key in scenario.actors:
            cost = f"{costs[key]:.4f}" if key in costs else "-"
            appr = f"{100 * approval[key]:.1f}" if key in approval else "-"
            lines.append(f"  {names[key]:<22}{cost:>14}{appr:>14}")

    turning = outcome.get("turning_points") or []
    if turning:
        lines += ["", "Turning points:"]
        shown = turning[:8]
        for point in shown:
            lines.append(f"  {float(point.get('hours', 0)):>6g} h  {point.get('text', '')}")
        if len(turning) > len(shown):
            lines.append(f"  ... and {len(turning) - len(shown)} more (see events.jsonl)")
    lines += ["", f"Run folder: {folder}"]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# validate, schema, list
# --------------------------------------------------------------------------


@app.command(short_help="Check scenario files; print every problem.")
def validate(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Scenario files (or bundled scenario names) to check.", metavar="FILE",
            autocompletion=complete_scenario,
        ),
    ],
) -> None:
    """Check scenario (or campaign) files against the schema; print every problem.

    Says which version of the scenario format each file seems to be; a field an
    older version had is named with what replaced it.
    """
    from crisis_sim.scenario import ScenarioError, load_scenario
    from crisis_sim.scenario.campaign import is_campaign_file, load_campaign
    from crisis_sim.scenario.files import file_format
    from crisis_sim.scenario.migrations import CURRENT_FORMAT, describe_format

    bad = False
    for file in files:
        campaign = is_campaign_file(file)
        try:
            if campaign:
                load_campaign(file)
            else:
                load_scenario(file)
        except ScenarioError as exc:
            bad = True
            for line in exc.problems:
                say(line, err=True)
            version = None if campaign else file_format(file)
            if version is not None and version < CURRENT_FORMAT:
                say(f"{file}: seems to be {describe_format(version)}; the lines above say what "
                    f"replaced each old field", err=True)
        else:
            say(f"{file}: ok" + ("" if campaign else f" ({describe_format(CURRENT_FORMAT)})"))
    if bad:
        raise typer.Exit(2)


@app.command(short_help="Print the JSON Schema of scenario files.")
def schema() -> None:
    """Print the JSON Schema of the scenario file format (for editors' autocompletion)."""
    import json

    from crisis_sim.core.schema import Scenario

    document = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    document.update(Scenario.model_json_schema())
    say_json(json.dumps(document, indent=2, ensure_ascii=False))


@app.command("list", short_help="List bundled scenarios and policies.")
def list_(
    policies: Annotated[
        bool,
        typer.Option(
            "--policies",
            help="List only the policies, each with its parameters (type, default, meaning).",
        ),
    ] = False,
) -> None:
    """List the bundled scenarios and the registered policies, one line each."""
    from crisis_sim.core.policy import REGISTRY
    from crisis_sim.scenario import ScenarioError, bundled_scenarios, read_yaml

    if policies:
        typer.echo(_policies_text())
        return
    scenarios = bundled_scenarios()
    width = max([len(name) for name in [*scenarios, *REGISTRY]] + [8]) + 2
    typer.echo("Scenarios (bundled; run one with `crisis-sim run NAME`):")
    for name, path in scenarios.items():
        try:
            title = str(read_yaml(path).get("title", ""))
        except ScenarioError:
            title = "(unreadable: see `crisis-sim validate`)"
        say(f"  {name:<{width}}{title}")
    typer.echo("")
    typer.echo("Policies (set with actors.<id>.policy.name):")
    for name in sorted(REGISTRY):
        typer.echo(f"  {name:<{width}}{REGISTRY[name].summary}")


def _policies_text(width: int = 100) -> str:
    """Every registered policy: name, summary, and each parameter's type, default and meaning."""
    import textwrap

    from crisis_sim.core.policy import describe_policies

    lines = ["Policies (set with actors.<id>.policy.name, parameters under actors.<id>.policy.params):"]
    for policy in describe_policies():
        lines += ["", policy.name, *textwrap.wrap(policy.summary, width, initial_indent="  ",
                                                  subsequent_indent="  ")]
        if not policy.params:
            lines.append("  (no parameters)")
        for param in policy.params:
            lines.append(f"  {param.name}: {param.type}, default {param.default}")
            lines += textwrap.wrap(param.meaning, width, initial_indent="      ",
                                   subsequent_indent="      ")
    return "\n".join(lines)


@app.command(short_help="Start a new scenario file from a bundled one.")
def new(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The new scenario's name; writes NAME.yaml.")],
    source: Annotated[
        str, typer.Option("--from", metavar="SCENARIO", help="Bundled scenario (or file) to start from.",
                          autocompletion=complete_scenario)
    ] = "us_colombia_2025",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Where to write. Default: NAME.yaml.")
    ] = None,
) -> None:
    """Copy a scenario file, comments and sources included, under a new name; check it loads.

    The source is read as every scenario file is (a regular file of at most
    2 MB, UTF-8, safe YAML, valid), so a device, a FIFO, a folder, a campaign
    file or a bad scenario is one line and exit 2. The copy is written under a
    hidden name beside its target, checked, then renamed into place: nothing
    is left behind when anything fails, and an existing file is never replaced.
    """
    import os

    from crisis_sim.scenario import ScenarioError, load_scenario, resolve_scenario_path
    from crisis_sim.scenario.authoring import bad_name, new_scenario_text
    from crisis_sim.scenario.campaign import CAMPAIGN_KIND
    from crisis_sim.scenario.files import read_limited, read_yaml

    problem = bad_name(name)
    if problem:
        _fail(f"NAME: {problem}")
    target = out if out is not None else Path(f"{name}.yaml")
    if target.exists() or target.is_symlink():
        _fail(f"{target}: already exists; choose another NAME or --out")
    _refuse_inside(target)
    try:
        file = resolve_scenario_path(source)
        if read_yaml(file).get("kind") == CAMPAIGN_KIND:
            _fail(f"{file}: a campaign file; `new` copies a scenario file (one of the campaign's crises)")
        load_scenario(file)  # bounded, UTF-8, safe YAML, valid: every problem at once
        text = new_scenario_text(read_limited(file).decode("utf-8"), name)
    except ScenarioError as exc:
        _fail(exc.problems)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        tmp.write_text(text, encoding="utf-8")
        load_scenario(tmp)  # the copy of a valid scenario is valid
        os.link(tmp, target)  # fails if the target appeared meanwhile: never replaced
    except FileExistsError:
        _fail(f"{target}: already exists; choose another NAME or --out")
    except OSError as exc:
        _fail(f"{target}: cannot write: {exc.strerror}")
    except ScenarioError as exc:
        _fail(exc.problems)
    finally:
        tmp.unlink(missing_ok=True)
    say(f"{target}: new scenario '{name}' from {source}; edit it, then `crisis-sim validate {target}`")


@app.command(short_help="Show the fields two scenario files differ in.")
def diff(
    first: Annotated[str, typer.Argument(metavar="A", help="Scenario file or bundled name.",
                                         autocompletion=complete_scenario)],
    second: Annotated[str, typer.Argument(metavar="B", help="Scenario file or bundled name.",
                                          autocompletion=complete_scenario)],
) -> None:
    """One line per field that differs, by dotted path (as --set names it): A's value -> B's."""
    import json

    from crisis_sim.scenario import ScenarioError, load_scenario
    from crisis_sim.scenario.authoring import MISSING, scenario_differences

    problems, loaded = [], []
    for file in (first, second):
        try:
            loaded.append(load_scenario(file))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        _fail(problems)

    def show(value) -> str:
        return "(absent)" if value is MISSING else json.dumps(value, ensure_ascii=False)

    differences = scenario_differences(*loaded)
    for path, a, b in differences:
        say(f"{path}: {show(a)} -> {show(b)}")
    if not differences:
        say(f"{first} and {second}: no differences")
