"""``crisis-sim play``: a student plays one government against the model.

Registered on :data:`crisis_sim.cli.app` when ``crisis_sim.cli`` is imported.
The game is :class:`crisis_sim.teach.play.Game`; this wrapper loads the scenario,
checks the seat, and sets the exit codes: 2 with one line per problem for bad
input (a scenario, an unknown actor), 0 when the game ends or the player
leaves (``q`` or end of input). Heavy modules are imported inside the command
so that ``crisis-sim --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from crisis_sim.cli.app import _fail, app
from crisis_sim.cli.completion import complete_scenario

MAX_RUNS = 10_000
"""Most model-only runs of the debrief (``--runs``): they run one after another in this process."""


@app.command(short_help="Play one government against the model, round by round.")
def play(
    scenario: Annotated[
        str | None,
        typer.Argument(help="Scenario file, or the name of a bundled scenario. Default: us_colombia_2025.",
                       show_default=False, metavar="SCENARIO", autocompletion=complete_scenario),
    ] = None,
    actor: Annotated[
        str, typer.Option("--as", metavar="ACTOR", help="The government you play, e.g. colombia.")
    ] = "",
    seed: Annotated[int, typer.Option("--seed", min=0, metavar="N", help="Random seed of the game.")] = 0,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="PATH=VALUE", show_default=False,
                     help="Change a scenario value (repeatable), e.g. rounds=16"),
    ] = None,
    runs: Annotated[
        int, typer.Option("--runs", min=0, max=MAX_RUNS, metavar="N",
                          help="Model-only runs to compare your game with at the end (at most 10,000).")
    ] = 200,
) -> None:
    """Play one government; the others follow their policies.

    Each round shows the situation and a menu of the moves legal now, each
    with a key that keeps its meaning all game (a accept, c accept on your own
    aircraft, t1 threaten your first measure, ...). Type a key (several,
    separated by spaces, move at once; w waits; q quits). At the end: how it
    ended, what your choices cost and where each side's approval came from,
    how the same crisis ends across model-only runs, and what really happened.
    """
    from crisis_sim.scenario import DEFAULT_SCENARIO, ScenarioError, load_scenario
    from crisis_sim.teach.play import Game, debrief, unknown_actor

    try:
        loaded = load_scenario(scenario or DEFAULT_SCENARIO, sets or [])
    except ScenarioError as exc:
        _fail(exc.problems)
    if not actor:
        _fail(f"--as is required: the government you play; actors in {loaded.name}: "
              f"{', '.join(sorted(loaded.actors))}")
    problem = unknown_actor(loaded, actor)
    if problem:
        _fail(problem)

    from crisis_sim.present import printable

    def read() -> str | None:
        # without its control characters: no key has one, and a piped answer is echoed back
        line = sys.stdin.readline()
        return printable(line) if line else None

    def write(text: str) -> None:
        typer.echo(text, nl=not text.endswith("> "))

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    game = Game(loaded, actor, seed, read, write, echo=not sys.stdin.isatty(), color=color)
    try:
        outcome = game.play()
    except ScenarioError as exc:  # a problem only the model can see
        _fail(exc.problems)
    if outcome is None:
        return
    if runs:
        typer.echo(f"\nRunning the same crisis {runs} times with the model in every seat ...")
    from crisis_sim.present.narrate import render

    typer.echo(render(debrief(game, outcome, runs), color=color), nl=False)
