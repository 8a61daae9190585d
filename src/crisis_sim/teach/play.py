"""Play one government against the model, round by round, at a terminal.

``crisis-sim play us_colombia_2025 --as colombia`` seats the student in one
government's chair. Each round the game shows the situation as that
government sees it (its :class:`~crisis_sim.core.view.WorldView`: measures
threatened and in force, costs, approval, beliefs, what the others just did)
and a menu of the moves legal now, each under a key that keeps its meaning for
the whole game (:data:`KEYS`); the student picks one, or several at once as a
package; the other governments follow their policies. The opening tells the
situation only; how the crisis ended in history is kept for the debrief. At
the end it tells how the crisis ended, what the student's choices cost each
side against the model playing the same seat with the same seed and where
each side's approval came from (:func:`approval_sources`), how the scenario
ends across many model-only runs, and, for the 2025 crisis, what really
happened (docs/sources.md §1).

Input is read line by line, so the game works the same with piped stdin (the
tests drive it that way). End of input or ``q`` ends the game cleanly.

The student's seat is a :class:`~crisis_sim.policies.human.HumanPolicy`
placed on the government after the model is built; everything else about the
model is unchanged, so its rounds, costs and beliefs follow the same rules as
any run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crisis_sim.core.log import LogKind
from crisis_sim.core.types import Action, ActionType, Variant
from crisis_sim.present.narrate import (
    OUTCOME_WORDS,
    Line,
    Teller,
    a_pct,
    capital,
    demand_label,
    event_lines,
    money,
    own_words,
    pct,
    points,
    render,
)

if TYPE_CHECKING:
    from crisis_sim.core.model import CrisisModel
    from crisis_sim.core.schema import Scenario
    from crisis_sim.core.view import WorldView

WHAT_REALLY_HAPPENED = {
    "us_colombia_2025": (
        "On Sunday 26 January 2025 at 03:41, President Petro withdrew landing permission for two US "
        "military deportation flights, asking for a protocol for the dignified treatment of migrants. "
        "Around noon President Trump announced a 25% tariff on all Colombian goods, rising to 50% in "
        "a week, with travel bans, visa sanctions, stricter customs inspections and financial "
        "sanctions; the US embassy stopped issuing visas. Petro ordered a 25% counter-tariff. That "
        "afternoon Colombia's ambassador kept both presidents on the phone for hours. Late that "
        "evening the White House said Colombia had agreed to all its terms: the tariffs and "
        "financial sanctions were 'held in reserve' and never signed, while visa sanctions and "
        "inspections stayed until the first planeload returned. Colombia sent its own air force "
        "planes: 201 people landed on 28 January, and US visa services resumed on 31 January. The "
        "Colombian press called it a 'twelve-hour trade war'. (Sources: docs/sources.md §1, T3–T14.)"
    ),
}
"""A short account of the real crisis, for scenarios built on one."""

FLIGHT_MOVES = (ActionType.ACCEPT_FLIGHTS, ActionType.ACCEPT_WITH_CONDITIONS, ActionType.COMPLY_IN_PART,
                ActionType.REFUSE_FLIGHTS, ActionType.WITHDRAW_DEMAND, ActionType.ACCEPT_TERMS)
MEASURE_MOVES = (ActionType.THREATEN, ActionType.IMPOSE, ActionType.ESCALATE, ActionType.SUSPEND,
                 ActionType.LIFT)
TALK_MOVES = (ActionType.OPEN_TALKS, ActionType.PROPOSE_TERMS, ActionType.PUBLIC_STATEMENT,
              ActionType.OFFER_INDUCEMENT, ActionType.COUNTER_DEMAND, ActionType.MEET_COUNTER_DEMAND,
              ActionType.MEDIATE, ActionType.CONDEMN,
              ActionType.OFFER_TO_RECEIVE)
GROUPS = (("The flights", FLIGHT_MOVES), ("Measures", MEASURE_MOVES), ("Talk", TALK_MOVES))
QUIT_WORDS = frozenset({"q", "quit", "exit"})
RULE = "━━"
PLAYER_REASON = "the player's choice"


class PlayerLeftError(Exception):
    """The player left (``q``) or the input ended."""


KEYS = {
    ActionType.ACCEPT_FLIGHTS: "a", ActionType.ACCEPT_WITH_CONDITIONS: "c", ActionType.REFUSE_FLIGHTS: "r",
    ActionType.WITHDRAW_DEMAND: "b", ActionType.ACCEPT_TERMS: "d", ActionType.COMPLY_IN_PART: "k",
    ActionType.THREATEN: "t", ActionType.IMPOSE: "i", ActionType.ESCALATE: "u", ActionType.SUSPEND: "h",
    ActionType.LIFT: "l",
    ActionType.OPEN_TALKS: "n", ActionType.PROPOSE_TERMS: "p", ActionType.PUBLIC_STATEMENT: "s",
    ActionType.MEDIATE: "m", ActionType.OFFER_INDUCEMENT: "g", ActionType.COUNTER_DEMAND: "v",
    ActionType.MEET_COUNTER_DEMAND: "y",
    ActionType.CONDEMN: "x", ActionType.OFFER_TO_RECEIVE: "o",
}
"""The key of each kind of move: the same letter means the same move in every round.

Measure moves take the measure's number too (``t1`` threatens your first
measure, ``i1`` imposes it); when a game has more than two governments, moves
aimed at one of them take its number (``x2`` condemns the second). The numbers
are fixed for the whole game, so a key never changes meaning between rounds;
the menu shows only the keys legal now.
"""
WAIT_KEYS = frozenset({"w", "0"})


@dataclass(frozen=True)
class MenuItem:
    key: str
    action: Action
    label: str
    group: str


# --------------------------------------------------------------------------
# The menu
# --------------------------------------------------------------------------


def turns_of(scenario: Scenario) -> int:
    """How many turns each of the scenario's rounds is played in (one per round up to 3 hours):
    the student is asked once a turn."""
    from crisis_sim.core.model import turns_in  # the model (and Mesa) load only when a game starts

    return turns_in(scenario.round_hours)


def my_measures(teller: Teller, actor: str) -> list[str]:
    """The measures ``actor`` can impose, in the scenario's order: their numbers in the keys."""
    return [key for key, spec in teller.scenario.measures.items() if spec.imposer == actor]


def others(teller: Teller, actor: str) -> list[str]:
    """The other governments, in the scenario's order: their numbers in the keys."""
    return [key for key in teller.scenario.actors if key != actor]


def move_key(action: Action, teller: Teller) -> str:
    """The stable key of ``action``: 'a', 'c', 't1', 'x2' (see :data:`KEYS`)."""
    letter = KEYS.get(action.kind, action.kind.value[:1])
    if action.kind is ActionType.COMPLY_IN_PART:  # one key per part: 'k50' meets half of the demand
        return f"{letter}{round(100 * (action.terms or 0))}"
    if action.measure is not None:
        return f"{letter}{my_measures(teller, action.actor).index(action.measure) + 1}"
    rest = others(teller, action.actor)
    if action.counterpart is not None and len(rest) > 1:
        return f"{letter}{rest.index(action.counterpart) + 1}"
    return letter


def menu(view: WorldView, teller: Teller) -> list[MenuItem]:
    """The legal moves now with their stable keys, grouped: the flights, measures, talk."""
    order = list(teller.scenario.measures)
    items: list[MenuItem] = []
    for group, kinds in GROUPS:
        if kinds is FLIGHT_MOVES and demand_words(teller, view.issue) is not None:
            group = "The demand"
        moves = [a for a in view.legal if a.kind in kinds]
        moves.sort(key=lambda a: (order.index(a.measure) if a.measure in order else -1,
                                  kinds.index(a.kind), a.counterpart or ""))
        for action in moves:
            if action.kind is ActionType.PROPOSE_TERMS:
                action = view.act(ActionType.PROPOSE_TERMS, action.counterpart, terms=0.5)
            items.append(MenuItem(move_key(action, teller), action, move_label(action, view, teller), group))
    return items


def demand_words(teller: Teller, issue) -> str | None:
    """The words of the demand of ``issue`` (a view of it) when it is not the flights, else None."""
    if issue is None:
        return None
    return demand_label(teller.scenario.issues[issue.index])


def issue_words(teller: Teller, issue, lead: bool = True) -> str:
    """'The flights from X to Y', or 'the demand that Y release pastor Brunson'."""
    demand = demand_words(teller, issue)
    if demand is not None:
        text = f"the demand that {teller.name(issue.receiver)} {demand}"
    else:
        text = f"the flights from {teller.name(issue.sender)} to {teller.name(issue.receiver)}"
    return capital(text) if lead else text


def move_label(action: Action, view: WorldView, teller: Teller) -> str:
    """A menu line in the second person: 'Threaten emergency tariff (25% ... now, ...)'."""
    other = teller.name(action.counterpart)
    kind = action.kind
    if kind in MEASURE_MOVES:
        def yours(rates: bool = True) -> str:
            return own_words(teller.bare(action.actor), teller.measure(action.measure, rates), "your")

        words = {
            ActionType.THREATEN: f"Threaten {yours()}",
            ActionType.IMPOSE: f"Impose {yours()}: it starts to cost both sides",
            ActionType.ESCALATE: f"Step up {yours(False)} to its next rate now",
            ActionType.SUSPEND: f"Hold {yours(False)} in reserve (suspend it: drafted, not in force)",
            ActionType.LIFT: f"Lift {yours(False)}",
        }
        return words[kind]
    issue = view.issue
    scale = ""
    if issue is not None:
        scale = f"0 = what {teller.name(issue.receiver)} wants, 1 = what {teller.name(issue.sender)} wants"
    demand = demand_words(teller, issue)
    if demand is not None and kind in FLIGHT_MOVES:
        receiver = teller.name(issue.receiver) if issue is not None else "them"
        return {
            ActionType.ACCEPT_FLIGHTS: f"Give in: {demand}, as {other} demands",
            ActionType.ACCEPT_WITH_CONDITIONS: f"Give in on your own terms: {demand} in a form you can "
            "present as your own (saving face)",
            ActionType.COMPLY_IN_PART: f"Meet the demand in part: {demand}, {action.terms or 0:.0%} of it, "
            f"and offer that to {other} as the settlement",
            ActionType.REFUSE_FLIGHTS: f"Refuse to {demand}",
            ActionType.WITHDRAW_DEMAND: f"Back down: drop the demand that {receiver} {demand}, and your "
            "measures",
        }.get(kind, kind.value.replace("_", " "))
    words = {
        ActionType.ACCEPT_FLIGHTS: f"Accept the flights on the terms {other} sets (give in)",
        ActionType.ACCEPT_WITH_CONDITIONS: "Accept the flights on your own aircraft, without restraints "
        "(give in, saving face)",
        ActionType.COMPLY_IN_PART: f"Accept part of the flights ({action.terms or 0:.0%}) and offer that to "
        f"{other} as the settlement",
        ActionType.REFUSE_FLIGHTS: "Refuse the flights",
        ActionType.WITHDRAW_DEMAND: f"Back down: stop the flights to {other} and drop your measures",
        ActionType.ACCEPT_TERMS: f"Accept the deal {other} proposed: terms {action.terms or 0:.2f} ({scale})",
        ActionType.OPEN_TALKS: f"Open talks with {other} (a call, an envoy): once they are open you "
        "can propose a deal, or give way and save face",
        ActionType.PROPOSE_TERMS: f"Propose a deal through the back channel: split the difference, "
        f"terms 0.50 ({scale})",
        ActionType.PUBLIC_STATEMENT: "Commit in public: a stronger signal, but backing down later costs "
        "more at home",
        ActionType.OFFER_INDUCEMENT: f"Offer {other} "
        f"{issue.inducement if issue is not None and issue.inducement else 'an inducement'} if it complies "
        "(given only when it does; it costs you at home)",
        ActionType.COUNTER_DEMAND: f"Ask {other} for "
        f"{issue.counter_demand if issue is not None and issue.counter_demand else 'something'} in return "
        "for complying (complying without it will then cost you at home)",
        ActionType.MEET_COUNTER_DEMAND: f"Agree to give {other} "
        f"{issue.counter_demand if issue is not None and issue.counter_demand else 'what it asked'} "
        "if it complies (given only when it does; it costs you at home)",
        ActionType.MEDIATE: f"Offer to mediate in {teller.possessive(action.counterpart or '')} dispute",
        ActionType.CONDEMN: f"Condemn {other}",
        ActionType.OFFER_TO_RECEIVE: f"Offer to take in other countries' deportees from {other}",
    }
    return words.get(kind, kind.value.replace("_", " "))


def parse_choice(text: str, items: list[MenuItem]) -> tuple[Action, ...] | str:
    """The actions picked by a line like ``c`` or ``t1 x2`` (``w``: wait), or what is wrong with it."""
    words = text.lower().replace(",", " ").split()
    # "t 1" is "t1": a letter alone followed by a number
    joined: list[str] = []
    for word in words:
        if word.isdigit() and joined and joined[-1].isalpha() and joined[-1] not in WAIT_KEYS:
            joined[-1] += word
        else:
            joined.append(word)
    by_key = {item.key: item for item in items}
    keys = " ".join(item.key for item in items)
    example = items[-1].key if items else "w"
    hint = (f"Type one of the keys shown ({keys}; w waits), or several separated by spaces "
            f"(e.g. \"{example}\"); q quits.")
    if not joined:
        return hint
    if joined == ["w"] or joined == ["0"]:
        return ()
    if any(word in WAIT_KEYS for word in joined):
        return "w (wait) cannot be combined with other moves."
    for word in joined:
        if word not in by_key:
            return f"'{word}' is not on the menu now. {hint}"
    if len(set(joined)) < len(joined):
        return "Each move can be picked only once."
    picked = [by_key[word] for word in joined]
    if sum(item.action.kind in FLIGHT_MOVES for item in picked) > 1:
        return "Pick at most one move about the demand at a time."
    measures = [item.action.measure for item in picked if item.action.measure]
    if len(set(measures)) < len(measures):
        return "Pick at most one move per measure at a time."
    return tuple(item.action for item in picked)


# --------------------------------------------------------------------------
# The game
# --------------------------------------------------------------------------


class Game:
    """One game: the student plays ``actor``; the others follow their policies.

    Args:
        scenario: a validated scenario.
        actor: the government the student plays.
        seed: the run's seed (the others' private resolve, their noisy choices).
        read: returns the next line of input, or ``None`` at the end of input.
        write: prints one block of text.
        echo: repeat each answer after its prompt (when stdin is not a terminal,
            so that a transcript reads like a session).
        color: ANSI colour.
    """

    def __init__(self, scenario: Scenario, actor: str, seed: int, read: Callable[[], str | None],
                 write: Callable[[str], None], echo: bool = False, color: bool = False):
        from crisis_sim.core.model import CrisisModel
        from crisis_sim.policies.human import HumanPolicy

        self.scenario, self.actor, self.seed = scenario, actor, seed
        self.read, self.write, self.echo, self.color = read, write, echo, color
        self.teller = Teller(scenario)
        self.model: CrisisModel = CrisisModel(scenario, seed)
        self.gov = self.model.governments[actor]
        self.usual_policy = self.gov.policy.name
        self.gov.policy = HumanPolicy(chooser=self._choose)
        self._shown = 0  # log entries already told
        self._last_reason: dict[str, str] = {}
        self._told_at = -1.0  # hours of the turn whose situation was last told
        self._waits_left = 0  # rounds still to wait after "w N"
        self._proposed: dict[str, tuple[int, float]] = {}  # the student's open deals: round, terms

    # ---- output

    def say(self, *lines: Line) -> None:
        self.write(render(list(lines), color=self.color).rstrip("\n"))

    def _news(self) -> list[Line]:
        """What happened since the last telling: events and moves, from the model's log."""
        lines = []
        for entry in self.model.log[self._shown:]:
            mine = entry.actor == self.actor
            if mine and entry.is_wait:
                continue
            stamp = f"  {self.teller.clock(float(entry.hours))} — "
            told = event_lines(self.teller, entry, stamp, self._last_reason)
            lines += [line for line in told if not (mine and line.text == PLAYER_REASON)]
        self._shown = len(self.model.log)
        return lines

    # ---- the student's turn

    def _choose(self, view: WorldView) -> tuple[tuple[Action, ...], str]:
        moved = any(a.kind is not ActionType.WAIT for acts in view.last_moves.values() for a in acts)
        if self._waits_left > 0 and not moved:  # "w N": keep waiting until something happens
            self._waits_left -= 1
            return (view.act(ActionType.WAIT),), PLAYER_REASON
        self._waits_left = 0
        if self._told_at != view.hours:
            self._told_at = view.hours
            self.say(*self._news(), *self.situation(view))
        items = menu(view, self.teller)
        self.say(*self._menu_lines(view, items))
        while True:
            self.write("> ")
            line = self.read()
            if line is None:
                raise PlayerLeftError("end of input")
            line = line.strip()
            if self.echo:
                self.write(line)
            if line.lower() in QUIT_WORDS:
                raise PlayerLeftError("quit")
            rounds = re.fullmatch(r"w\s*(\d+)", line.lower())
            if rounds and int(rounds.group(1)) > 0:
                self._waits_left = int(rounds.group(1)) - 1
                return (view.act(ActionType.WAIT),), PLAYER_REASON
            picked = parse_choice(line, items)
            if isinstance(picked, str):
                self.say(Line(picked, "turn", "  "))
                continue
            for action in picked:
                if action.kind is ActionType.PROPOSE_TERMS and action.counterpart:
                    self._proposed[action.counterpart] = (view.round, action.terms or 0.5)
            return picked or (view.act(ActionType.WAIT),), PLAYER_REASON

    def situation(self, view: WorldView) -> list[Line]:
        """The state of play as the student's government sees it at the start of a round."""
        from crisis_sim.policies.reasoning import backdown_cost, expected_pain

        t, me, s = self.teller, self.actor, self.scenario
        turns = turns_of(s)
        turn = f", turn {round((view.hours / s.round_hours - (view.round - 1)) * turns) + 1} of {turns}" \
            if turns > 1 else ""
        head = (f"{RULE} Round {view.round} of {s.rounds}{turn} · {t.when(view.hours)} · "
                f"you are {t.name(me)} {RULE}")
        lines = [Line(""), Line(head, "title")]
        issue = view.issue
        if issue is None:
            for each in view.issues:
                state = "still disputed" if each.contested else "decided"
                lines.append(Line(f"{issue_words(t, each)}: {state}.", "", "  "))
        else:
            other = issue.counterpart(me)
            refuser = "you" if issue.receiver == me else t.name(issue.receiver)
            status = {"refused": f"refused by {refuser} for {issue.hours_contested:g} hours",
                      "pending": "not yet accepted"}.get(issue.status.value, issue.status.value)
            lines.append(Line(f"{issue_words(t, issue)}: {status}.", "", "  "))
            for title, imposer, target in (("Against you", other, me), ("Yours", me, other)):
                rows = _measure_rows(view.measures_between(imposer, target))
                if rows:
                    lines.append(Line(f"{title}: " + "; ".join(rows) + ".", "", "  "))
        change = points(view.approval - view.approval_start)
        lines.append(Line(f"You: approval {pct(view.approval, 1)} ({change} since the start), trade lost "
                          f"so far {money(view.cost_usd_bn)}.", "", "  "))
        if view.committed:
            lines.append(Line(f"You are committed in public: giving way now would cost you about "
                              f"{backdown_cost(view) * 100:.1f} approval points.", "", "  "))
        pain = expected_pain(view)
        if pain > 0.0005:
            lines.append(Line(f"Your advisers reckon that holding out against what stands now could cost "
                              f"about {pain * 100:.1f} approval points over the next "
                              f"{view.dynamics.concern_days:g} days.", "", "  "))
        for key, gov in self.model.governments.items():
            if key == me:
                continue
            belief = view.beliefs.get(key)
            guess = f"; you think there is {a_pct(belief)} chance they mean it" if belief is not None else ""
            lines.append(Line(f"{t.name(key, start=True)}: approval {pct(gov.approval, 1)}, trade lost "
                              f"{money(gov.cost_usd_bn)}{guess}.", "", "  "))
        lines += self._deal_lines(view)
        return lines

    def _deal_lines(self, view: WorldView) -> list[Line]:
        """The back channel: who can be offered a deal now, and the answer to each offer made.

        A proposal stays on the table until it is accepted (docs/sources.md §3,
        back channel); the other side answers by taking it or by doing
        something else, so each round the student is told which.
        """
        t, lines = self.teller, []
        can_propose = sorted(a.counterpart for a in view.legal
                             if a.kind is ActionType.PROPOSE_TERMS and a.counterpart)
        if can_propose:
            keys = ", ".join(move_key(view.act(ActionType.PROPOSE_TERMS, k, terms=0.5), t)
                             for k in can_propose)
            lines.append(Line(f"A back channel is open with {_and_names(t, can_propose)}: you can propose a "
                              f"deal (key {keys}).", "note", "  "))
        for other in sorted(view.proposed_to):
            made = self._proposed.get(other)
            terms_text = f"terms {made[1]:.2f}, " if made else ""
            since = f"proposed in round {made[0]}" if made else "proposed earlier"
            if made and made[0] == view.round - 1:
                answer = f"{t.name(other)} has not accepted it this round"
            else:
                answer = f"{t.name(other)} has still not accepted it"
            lines.append(Line(f"Answer to your deal ({terms_text}{since}): {answer}. It stays on the table "
                              "until someone accepts it; you cannot propose another meanwhile.",
                              "note", "  "))
        for proposer, terms in view.proposals.items():
            lines.append(Line(f"On the table: a deal from {t.name(proposer)}, terms {terms:.2f} (key "
                              f"{move_key(view.act(ActionType.ACCEPT_TERMS, proposer, terms=terms), t)} "
                              "accepts it).", "note", "  "))
        return lines

    def _menu_lines(self, view: WorldView, items: list[MenuItem]) -> list[Line]:
        about = f" (about {issue_words(self.teller, view.issue, lead=False)})" \
            if view.issue is not None and view.issue.sender == self.actor else ""
        lines = [Line(""), Line(f"Your move{about}:", "head")]
        group = None
        for item in items:
            if item.group != group:
                group = item.group
                lines.append(Line(group, "why", "  "))
            lines.append(Line(item.label, "", f"  {item.key:>3}  "))
        lines.append(Line("Wait: hold your position, change nothing", "", f"  {'w':>3}  "))
        lines.append(Line("Type a key (the same key means the same move in every round), or several "
                          f"separated by spaces to move at once; w 4 waits four {self._turn_word}s "
                          "(or until the others move); q quits.", "why", "  "))
        rest = others(self.teller, self.actor)
        if len(rest) > 1:
            lines.append(Line("The number after a letter is the government: " + ", ".join(
                f"{i} {self.teller.name(k)}" for i, k in enumerate(rest, 1)) + ".", "why", "  "))
        return lines

    # ---- the whole game

    def play(self) -> dict | None:
        """Play to the end; the outcome record, or ``None`` if the player left."""
        from crisis_sim.core.outcomes import outcome_record

        self.say(*self._intro())
        try:
            for _ in range(self.scenario.rounds):
                if not self.model.running:
                    break
                before = self._peek()
                self.model.step()
                news = self._news() + self._changes(before)
                if news:
                    self.say(*news)
        except PlayerLeftError as stop:
            self.write(f"\nGame over ({stop}). Nothing was saved.")
            return None
        outcome = outcome_record(self.model)
        self.say(Line(""), *self.teller.ending(outcome))
        return outcome

    @property
    def _turns_note(self) -> str:
        """How a long round is played, for the introduction ('' when a round is one turn)."""
        turns = turns_of(self.scenario)
        return "" if turns == 1 else (f", played in {turns} turns of {self.scenario.round_hours / turns:g} "
                                      "hours: you move, or wait, once a turn")

    @property
    def _turn_word(self) -> str:
        """What one answer at the prompt covers: a round, or a turn of a long round."""
        return "round" if turns_of(self.scenario) == 1 else "turn"

    def _intro(self) -> list[Line]:
        s, t = self.scenario, self.teller
        spec = s.actors[self.actor]
        lines = [Line(f"{s.title}", "title"),
                 Line(f"You play {t.name(self.actor)} ({spec.role.value.replace('_', ' ')}). "
                      f"The others follow their usual policies. Each round is {s.round_hours:g} hours"
                      f"{self._turns_note}; the game lasts at most {s.rounds} rounds.", "", "  ")]
        lines += setup_lines(t, self.actor)
        lines.append(Line("What happened in history (or what the scenario's authors expect) is told only "
                          "at the end, so that your choices are your own.", "why", "  "))
        return lines

    def _peek(self) -> dict:
        """Beliefs before a round, to tell what the round changed."""
        return {k: dict(g.beliefs) for k, g in self.model.governments.items()}

    def _changes(self, before: dict) -> list[Line]:
        t, lines = self.teller, []
        for key, gov in self.model.governments.items():
            for about, value in gov.beliefs.items():
                old = before[key].get(about)
                if old is None or abs(value - old) < 0.02 or self.actor not in (key, about):
                    continue
                who = "You now think" if key == self.actor else f"{t.name(key, start=True)} now thinks"
                whom = "you mean" if about == self.actor else f"{t.name(about)} means"
                lines.append(Line(f"{who} there is {a_pct(value)} chance {whom} it (was {pct(old)}).",
                                  "note", "              → "))
        notes = {e.reason.lower() for e in self.model.log
                 if e.round == self.model.round and e.kind is LogKind.EVENT}
        for point in self.model.turning_points:
            if point["round"] == self.model.round and str(point["text"]).lower() not in notes:
                lines.append(Line(capital(t.tidy(str(point["text"]))), "turn", "              ★ "))
        return lines


def setup_lines(teller: Teller, actor: str) -> list[Line]:
    """The crisis as it stands at the start, from the scenario's numbers alone.

    The scenario's description is not shown here: for a crisis built on history
    it tells how the crisis ended, which would decide the game for the student.
    It is shown in the debrief.
    """
    s, lines = teller.scenario, []
    for issue in s.issues:
        demand = demand_label(issue)
        if demand is not None:
            refused = " It has refused." if issue.refused_at_start else ""
            lines.append(Line(f"{teller.name(issue.sender, start=True)} demands that "
                              f"{teller.name(issue.receiver)} {demand}.{refused}", "", "  "))
            continue
        refused = " It has refused them." if issue.refused_at_start else ""
        lines.append(Line(f"{teller.name(issue.sender, start=True)} wants to send deportation flights to "
                          f"{teller.name(issue.receiver)} ({issue.deportees_pending:,} people, on "
                          f"{issue.aircraft} aircraft{', in restraints' if issue.restraints else ''})."
                          f"{refused}", "", "  "))
    for who in [actor, *others(teller, actor)]:
        mine = my_measures(teller, who)
        if not mine:
            continue
        owner = "You" if who == actor else teller.name(who, start=True)
        labels = [f"{n}. {teller.measure(k, False)}" if who == actor else teller.measure(k, False)
                  for n, k in enumerate(mine, 1)]
        verb = "can use" if who == actor else "can use against others"
        lines.append(Line(f"{owner} {verb}: {', '.join(labels)}.", "", "  "))
    return lines


def _and_names(teller: Teller, keys: list[str]) -> str:
    names = [teller.name(k) for k in keys]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _measure_rows(measures) -> list[str]:
    """Measures grouped by state: 'in force: visa sanctions (1%)', 'threatened: ...'."""
    groups: dict[str, list[str]] = {}
    for m in measures:
        if m.state.label == "imposed":
            groups.setdefault("in force", []).append(f"{m.label} ({m.rate * 100:g}%)")
        else:
            word = {"available": "not used yet", "suspended": "held in reserve",
                    "done": "done once (one-off)"}.get(m.state.label, m.state.label)
            groups.setdefault(word, []).append(m.label)
    order = ("in force", "threatened", "held in reserve", "done once (one-off)", "lifted", "not used yet")
    return [f"{state}: {', '.join(groups[state])}" for state in order if state in groups]


# --------------------------------------------------------------------------
# After the game
# --------------------------------------------------------------------------


def ensemble(scenario: Scenario, runs: int) -> Counter:
    """Outcome classes over ``runs`` model-only runs (seeds 0 to runs-1)."""
    from crisis_sim.core.outcomes import outcome_record
    from crisis_sim.runs.single_run import run_model

    return Counter(outcome_record(run_model(scenario, seed))["outcome"] for seed in range(runs))


SOURCE_WORDS = {
    "rally": "rallying round the flag",
    "pain": "economic pain",
    "elite": "elite pressure",
    "talks": "reaching out to open talks",
    "strain": "the strained relationship while the dispute was open",
    "deal": "what the deal gave or cost (an inducement, a counter-demand)",
    "face": "audience costs (giving way after a public commitment)",
}
"""What each source of approval is called in the debrief (docs/model.md, approval)."""


@dataclass(frozen=True)
class Sources:
    """Where one government's approval change came from, in approval (0-1) units.

    ``rally``, ``pain`` and ``elite`` are the running totals the model keeps
    as it applies them (:func:`crisis_sim.core.rules.costs_and_approval`): the
    rally-round-the-flag gain while its issue was undecided in the first
    ``rally_days``, the approval lost to the trade it lost, and the political
    pressure of measures in force against it; ``talks``, what it paid for reaching out to
    open talks (:func:`crisis_sim.core.rules.open_talks`); ``strain``, what the strained
    relationship cost it while the dispute was open, and ``deal``, what an inducement or a
    counter-demand met gave a receiver or cost its sender, and what a counter-demand dropped cost
    the receiver (docs/model.md §7.26-7.28). ``face`` is what is left, which
    is the audience cost of giving way after a public commitment (and any
    clipping at 0 or 1).
    """

    rally: float
    pain: float
    elite: float
    talks: float
    face: float
    total: float
    strain: float = 0.0
    deal: float = 0.0

    def parts(self) -> dict[str, float]:
        return {"rally": self.rally, "pain": -self.pain, "elite": -self.elite, "talks": -self.talks,
                "strain": -self.strain, "deal": self.deal, "face": self.face}


def approval_sources(model: CrisisModel) -> dict[str, Sources]:
    """Each government's approval change split into its sources (see :class:`Sources`)."""
    out = {}
    for key, gov in model.governments.items():
        rally, pain, elite, talks = gov.rally_gained, gov.pain_lost, gov.pressure_lost, gov.talks_lost
        strain, deal = gov.strain_lost, gov.deal_gained
        total = gov.approval - gov.spec.approval
        tracked = rally - pain - elite - talks - strain + deal
        out[key] = Sources(rally, pain, elite, talks, total - tracked, total, strain, deal)
    return out


def source_lines(teller: Teller, key: str, sources: Sources, indent: str) -> list[Line]:
    """'+1.0 from rallying round the flag, −0.9 from economic pain, ...': the parts that count."""
    parts = [f"{points(value)} from {SOURCE_WORDS[name]}" for name, value in sources.parts().items()
             if abs(value) >= 0.0005]
    if not parts:
        return [Line("Approval hardly moved: no source was worth 0.05 points.", "why", indent)]
    return [Line("Where it came from: " + "; ".join(parts) + ".", "why", indent)]


def why_it_differs(teller: Teller, key: str, yours: Sources, model: Sources) -> str | None:
    """A plain sentence on where ``key``'s result in the student's game differs from the model's.

    Every source that differs by 0.05 points or more is named, the biggest first,
    with which way it cut: 'Colombia ended 1.4 points better off in your game:
    rallying round the flag +2.6 points, audience costs +1.6, economic pain −2.0'.
    """
    if abs(yours.total - model.total) < 0.0005:
        return None
    mine, theirs = yours.parts(), model.parts()
    diff = sorted(((mine[n] - theirs[n], n) for n in SOURCE_WORDS), key=lambda d: -abs(d[0]))
    said = [f"{SOURCE_WORDS[name]} {points(gap)} ({points(mine[name])} against {points(theirs[name])})"
            for gap, name in diff if abs(gap) >= 0.0005]
    better = "better" if yours.total > model.total else "worse"
    return (f"{teller.name(key, start=True)} ended {abs(yours.total - model.total) * 100:.1f} points "
            f"{better} off in your game than in the model's: " + "; ".join(said) + ".")


def short_verdict(teller: Teller, outcome: dict) -> str:
    """'Colombia gives way (face-saving)', 'the United States backs down', 'a standoff'."""
    issue = teller.scenario.issues[0]
    name = outcome.get("outcome")
    if name == "target_concedes":
        face = " (face-saving)" if outcome.get("variant") == Variant.FACE_SAVING else ""
        return f"{teller.name(issue.receiver)} gives way{face}"
    if name == "initiator_backs_down":
        return f"{teller.name(issue.sender)} backs down"
    return OUTCOME_WORDS.get(str(name), str(name))


def debrief(game: Game, outcome: dict, runs: int) -> list[Line]:
    """What the choices cost against the model in the same seat, the ensemble, and the history."""
    from crisis_sim.core.outcomes import outcome_record
    from crisis_sim.runs.single_run import run_model

    t, s, me = game.teller, game.scenario, game.actor
    model_run = run_model(s, game.seed)
    model_play = outcome_record(model_run)
    sources = {"yours": approval_sources(game.model), "model": approval_sources(model_run)}
    lines = [Line(""), Line(f"What your choices cost (seed {game.seed})", "head")]
    for label, record, which in (("You played", outcome, "yours"),
                                 (f"The model playing {t.name(me)} ({game.usual_policy})", model_play,
                                  "model")):
        hours = record.get("decided_at_hours")
        when = f", {t.when(float(hours))}" if hours is not None else ""
        lines.append(Line(f"{label}: {short_verdict(t, record)}{when}.", "", "  "))
        for key, actor in s.actors.items():
            change = float(record["approval"][key]) - actor.approval
            lost = float(record["costs_usd_bn"][key])
            lines.append(Line(f"{t.name(key, start=True)}: {money(lost) if lost > 0 else 'no'} trade lost, "
                              f"approval {points(change)} points.", "", "      "))
            lines += source_lines(t, key, sources[which][key], "        ")
    lines += [Line(""), Line("Why the results differ (your game against the model's)", "head")]
    said = [why_it_differs(t, key, sources["yours"][key], sources["model"][key]) for key in s.actors]
    lines += [Line(text, "", "  ") for text in said if text] or [
        Line("Your game and the model's left every government with about the same approval.", "", "  ")]
    lines.append(Line(
        f"How to read this: standing firm in the first {s.dynamics.rally_days:g} days earns a rally at home "
        f"({points(s.dynamics.rally)} points a day while the dispute is open); trade lost costs approval in "
        "proportion to the economy; some measures also turn the elite against the government they hit; "
        "and giving way after a public commitment costs approval at once (audience costs: losing face). "
        "The split is computed from the run with the model's own rules; the model records only the "
        "total.", "why", "  "))
    if runs > 0:
        shares = ensemble(s, runs)
        lines += [Line(""), Line(f"The same crisis {runs} times, with the model in every seat "
                                 f"(seeds 0–{runs - 1})", "head")]
        words = {name: short_verdict(t, {"outcome": name}) for name in shares}
        width = max(len(w) for w in words.values()) + 2
        for name, count in shares.most_common():
            lines.append(Line(f"{count:>4}  {count / runs:>4.0%}", "", f"  {words[name]:<{width}}"))
        yours = outcome["outcome"]
        lines.append(Line(f"Your game ended in \"{short_verdict(t, {'outcome': yours})}\", as did "
                          f"{shares.get(yours, 0) / runs:.0%} of the model's runs.", "note", "  "))
    history = WHAT_REALLY_HAPPENED.get(s.name)
    if history:
        lines += [Line(""), Line("What really happened", "head"), Line(history, "", "  ")]
    elif s.description:
        about = " ".join(s.description.split())
        lines += [Line(""), Line("About this scenario", "head"), Line(about, "", "  ")]
    return lines


def unknown_actor(scenario: Scenario, actor: str) -> str | None:
    """The one-line problem when ``actor`` is not a government of ``scenario``."""
    if actor in scenario.actors:
        return None
    return f"--as: unknown actor '{actor}'; actors in {scenario.name}: {', '.join(sorted(scenario.actors))}"
