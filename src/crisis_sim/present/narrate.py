"""The story of a run: who did what, when, why, and what it cost, in simulated clock time.

:func:`narrate` turns a finished run (a :class:`~crisis_sim.runs.single_run.RunResult`:
the scenario, the event log, the per-round frames and the outcome) into text a
classroom can follow::

    Sunday 26 January 2025
      Sun 03:41 — Colombia refuses landing permission for the flights. ...
      Sun 12:41 — United States threatens emergency tariff (25% on all of
                  Colombia's goods now, 50% after 7 days) ...
                  → Colombia now thinks there is a 96% chance the United States means it

It is a pure function of the run: the same run gives the same text, so a
narration can be kept as a golden file. Colour (ANSI) is added only when
asked (``color=True``; the command line asks when stdout is a terminal).

Every line comes from what the model recorded: each government's moves and
the reason its policy gave (``events``), measure rates and states, costs and
approval per round (``model_frame``), and beliefs (``actor_frame``). Quiet
stretches are folded into one line; a waiting government's reasoning is shown
when it changes.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crisis_sim.core.columns import approval_column, belief_column, cost_column, rate_column, state_column
from crisis_sim.core.log import LogEntry, LogKind
from crisis_sim.core.types import MEASURE_ACTIONS, OUTCOME_CLASSES, Action, ActionType, MeasureState, Variant
from crisis_sim.present import printable, without_doubled_names

if TYPE_CHECKING:
    from crisis_sim.core.schema import Scenario

WIDTH = 88
"""Column width of the story (fixed, so that a narration is the same everywhere)."""

_ANSI = {
    "title": "1",
    "head": "1;4",
    "time": "1",
    "why": "2",
    "note": "36",
    "turn": "1;33",
    "end": "1;32",
}

OUTCOME_WORDS = {o.value: c.words for o, c in OUTCOME_CLASSES.items()}
"""Short plain words for each outcome class (shared with ``play``)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a story: a prefix (a time, or an indent) and a styled text."""

    text: str
    style: str = ""
    prefix: str = ""
    prefix_style: str = ""


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def render(lines: list[Line], color: bool = False, width: int = WIDTH) -> str:
    """Lay lines out at ``width`` columns, hanging indent after the prefix; ANSI when ``color``.

    Control characters of the texts are dropped (:func:`crisis_sim.present.printable`)
    before the colours are added, so a title cannot drive the terminal.
    """
    out: list[str] = []
    for line in lines:
        if not line.text and not line.prefix:
            out.append("")
            continue
        room = max(20, width - len(line.prefix))
        pieces = textwrap.wrap(line.text, room, break_on_hyphens=False) or [""]
        for i, piece in enumerate(pieces):
            prefix = line.prefix if i == 0 else " " * len(line.prefix)
            out.append(_paint(printable(prefix), line.prefix_style, color)
                       + _paint(printable(piece), line.style, color))
    return "\n".join(out) + "\n"


def _paint(text: str, style: str, color: bool) -> str:
    if not color or not style or not text:
        return text
    return f"\x1b[{_ANSI[style]}m{text}\x1b[0m"


# --------------------------------------------------------------------------
# Words for numbers
# --------------------------------------------------------------------------


def pct(value: float, digits: int = 0) -> str:
    """0.25 -> '25%'; with digits, 0.3372 -> '33.7%'."""
    return f"{value * 100:.{digits}f}%"


def rate_text(rate: float) -> str:
    """A tariff rate: 0.25 -> '25%', 0.075 -> '7.5%'."""
    return f"{rate * 100:g}%"


def money(usd_bn: float) -> str:
    """USD billions in words a reader takes in at a glance."""
    if usd_bn <= 0:
        return "nothing"
    if usd_bn >= 1:
        return f"USD {usd_bn:,.1f} billion"
    if usd_bn >= 0.0001:
        return f"USD {usd_bn * 1000:,.1f} million"
    return f"USD {usd_bn * 1e6:,.0f} thousand"


def points(change: float) -> str:
    """An approval change in points: +0.4, -1.3 (with a real minus sign); 0.0 when it rounds to nothing.

    A change that rounds to zero is written ``0.0``, never ``-0.0``: a class reads a
    signed zero as a loss.
    """
    text = f"{change * 100:+.1f}"
    if float(text) == 0:
        return "0.0"
    return text.replace("-", "−")


_NEG_ZERO = re.compile(r"(?<![\d.])[-−]0\.0(?![\d])")
_TIE = re.compile(r"(?P<a>[-+]?\d+\.\d) pts vs holding (?P<b>[-+]?\d+\.\d) pts")


def plain_reason(reason: str) -> str:
    """A policy's reasoning as a class reads it: no ``-0.0``, and a word on a tie.

    The reasons are the policies' own words, stored as they were given (the event
    log is part of a run's output); only their telling changes here. A value that
    rounds to zero loses its minus sign; two values equal at one decimal
    ("-5.7 pts vs holding -5.7 pts") are said to be a near tie, less than 0.1
    points apart, so that the choice does not look arbitrary.
    """
    text = _NEG_ZERO.sub("0.0", reason.strip())

    def tie(match: re.Match[str]) -> str:
        a, b = float(match["a"]), float(match["b"])
        note = " (a near tie: less than 0.1 points apart)" if a == b else ""
        return match[0] + note

    return _TIE.sub(tie, text)


_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_VS_HOLDING = re.compile(rf"(?P<a>{_NUMBER}) pts vs holding (?P<b>{_NUMBER}) pts")
_HOLDING_ALONE = re.compile(rf"\(holding alone (?P<b>{_NUMBER}) pts\)")
_IF_THEY = re.compile(
    rf"(?P<a>{_NUMBER}) pts if they (?:may say yes|settle for it) \((?P<p>\d(?:\.\d+)?)\)"
)
_THEY_GIVE_WAY = re.compile(r"P\(they (?:give way|yield)\) (?P<p>\d(?:\.\d+)?)")
_STAKE_PTS = re.compile(rf"stake (?P<a>{_NUMBER}) pts")
_AUDIENCE_PTS = re.compile(rf"audience cost (?P<a>{_NUMBER}) pts")
_PTS = re.compile(rf"(?P<a>{_NUMBER}) pts")
_HOURS_SHORT = re.compile(r"\b(?P<h>\d+(?:\.\d+)?)h\b")
_SETTLEMENT_STEP = re.compile(r"^(?:hold .+ in reserve|lift .+)$")


def _worth(value: float, *, unit: str = " approval points") -> str:
    """A utility in approval points as words: 'a cost of 3.2 approval points', 'a gain of 0.6 ...'."""
    if abs(value) < 0.05:
        return "nothing either way"
    return f"a {'cost' if value < 0 else 'gain'} of {abs(value):.1f}{unit}"


def _chance(p: str) -> str:
    return f"{float(p):.0%}"


def _clauses(reason: str) -> list[str]:
    """A reason's clauses (policies join theirs with '; '), each once, in their order."""
    seen: list[str] = []
    for clause in reason.split("; "):
        clause = clause.strip()
        if clause and clause not in seen:
            seen.append(clause)
    return seen


def _settlement_in_words(clauses: list[str]) -> list[str]:
    """'implementing the outcome: lift X; hold Y in reserve; keep Z until ...' as 'carrying out the
    settlement (keep Z until ...)': the lifting and holding in reserve are the move itself."""
    out: list[str] = []
    in_settlement = False
    for clause in clauses:
        if clause.startswith("implementing the outcome: "):
            in_settlement = True
            clause = clause.removeprefix("implementing the outcome: ")
            if "carrying out the settlement" not in out:
                out.append("carrying out the settlement")
        if in_settlement and _SETTLEMENT_STEP.match(clause):
            continue
        if in_settlement and clause.startswith("keep "):
            out.append(clause)
            continue
        in_settlement = False
        out.append(clause)
    return out


def _without_measure_lists(text: str, measure_names: Iterable[str]) -> str:
    """A list of two or more of ``measure_names`` ('A, B, C and D') as 'these measures'.

    Given the measures the move itself names, so that the reason does not list them again.
    """
    names = sorted((re.escape(n) for n in measure_names if n), key=len, reverse=True)
    if not names:
        return text
    one = "(?:" + "|".join(names) + ")"
    return re.sub(rf"{one}(?:(?:, | and ){one})+", "these measures", text)


def reason_in_words(reason: str, named: Iterable[str] = ()) -> str:
    """A policy's reasoning as a class reads it off a projected page: no 'pts', no 'P(...)'.

    The policies give their reasons in a compact notation (utilities in approval
    points, probabilities as decimals): "accept on our own aircraft, with dignity:
    -3.2 pts vs holding -6.9 pts", "keep up the pressure: -0.5 pts (P(they give way)
    0.90)". Told in words: "accept on our own aircraft, with dignity: a cost of 3.2
    approval points, against a cost of 6.9 for holding out", "keep up the
    pressure: a cost of 0.5 approval points (a 90% chance they give way)".
    Repeated clauses are said once, a list of measures the move itself names
    (``named``: their labels) becomes "these measures", and the steps of carrying out a
    settlement that the move itself states (lifting, holding in reserve) are
    left out. The stored reasons are unchanged: this is only their telling.
    """
    clauses = _settlement_in_words(_clauses(plain_reason(reason)))
    text = "; ".join(clauses)
    text = _VS_HOLDING.sub(
        lambda m: f"{_worth(float(m['a']))}, against {_worth(float(m['b']), unit='')} for holding out",
        text,
    )
    text = _HOLDING_ALONE.sub(lambda m: f"(holding out alone: {_worth(float(m['b']), unit='')})", text)
    text = _IF_THEY.sub(
        lambda m: f"{_worth(float(m['a']))}, counting a {_chance(m['p'])} chance they agree", text
    )
    text = _THEY_GIVE_WAY.sub(lambda m: f"a {_chance(m['p'])} chance they give way", text)
    text = _STAKE_PTS.sub(lambda m: f"at stake {abs(float(m['a'])):.1f} points", text)
    text = _AUDIENCE_PTS.sub(lambda m: f"an audience cost of {abs(float(m['a'])):.1f} points", text)
    text = _PTS.sub(lambda m: _worth(float(m["a"])), text)
    text = _HOURS_SHORT.sub(lambda m: f"{m['h']} hours", text)
    text = text.replace(" (a near tie: less than 0.1 points apart)", ", a near tie")
    return _without_measure_lists(text, named)


def demand_label(issue: Any) -> str | None:
    """The words of an issue's demand when it is not the deportation flights, else None.

    A label completes "the demand to ...": ``release pastor Brunson``
    (``core.schema.Demand``). Flights issues keep their own wording.
    """
    return None if issue is None else issue.demand_words


def _share_words(share: float) -> str:
    return "a lot" if share >= 0.7 else "somewhat" if share >= 0.4 else "a little"


# --------------------------------------------------------------------------
# The teller: names, clock and moves of one scenario in words
# --------------------------------------------------------------------------


class Teller:
    """Turns a scenario's identifiers, hours and logged moves into words."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario

    def name(self, key: str | None, start: bool = False) -> str:
        """A government's name as it reads in a sentence: 'the United States' (``start``: 'The')."""
        if key is None:
            return ""
        actor = self.scenario.actors.get(key)
        name = actor.name if actor else key
        if _takes_the(name):
            name = ("The " if start else "the ") + name
        return name

    def possessive(self, key: str) -> str:
        """'Colombia's', 'the United States''."""
        name = self.name(key)
        return name + ("'" if name.endswith("s") else "'s")

    def at(self, hours: float) -> datetime:
        return self.scenario.start + timedelta(hours=hours)

    def clock(self, hours: float) -> str:
        """'Sun 03:41'."""
        return self.at(hours).strftime("%a %H:%M")

    def day(self, hours: float) -> str:
        """'Sunday 26 January 2025'."""
        moment = self.at(hours)
        return f"{moment:%A} {moment.day} {moment:%B %Y}"

    def when(self, hours: float) -> str:
        """'Sun 26 Jan 15:41, 12 hours in'."""
        moment = self.at(hours)
        span = f"{hours:g} hours" if hours < 72 else f"{hours / 24:.1f} days"
        return f"{moment:%a} {moment.day} {moment:%b %H:%M}, {span} in"

    # ---- measures

    def measure(self, key: str | None, rates: bool = True) -> str:
        """A measure's label, with its schedule in plain words when ``rates``."""
        spec = self.scenario.measures.get(key or "")
        if spec is None:
            return key or "a measure"
        if not rates:
            return spec.label
        steps = spec.schedule
        if spec.kind.value in ("tariff", "counter_tariff"):
            cover = "all of" if spec.coverage >= 1 else f"{pct(spec.coverage)} of"
            first = f"{rate_text(steps[0].rate)} on {cover} {self.possessive(spec.target)} goods"
            later = [f"{rate_text(s.rate)} after {s.after_days:g} days" for s in steps[1:]]
            if later:
                first += " now"
            return f"{spec.label} ({', '.join([first, *later])})"
        return f"{spec.label} (about as costly as a {rate_text(steps[0].rate)} tariff)"

    def own_measure(self, actor: str, key: str | None, rates: bool = True) -> str:
        """A measure as its imposer speaks of it: 'its tariff (10% ...)', not 'Westmark tariff'.

        A label that starts with the imposer's name or its adjective ('Westmark
        tariff', 'Colombian counter-tariff') would double the name after
        'Westmark threatens'; the name becomes 'its'.
        """
        text = self.measure(key, rates)
        spec = self.scenario.measures.get(key or "")
        if spec is None or spec.imposer != actor:
            return text
        return own_words(self.bare(actor), text)

    def bare(self, key: str) -> str:
        """A government's name as written in the scenario, without an article."""
        actor = self.scenario.actors.get(key)
        return actor.name if actor else key

    def tidy(self, text: str) -> str:
        """Free text (a reason, a turning point) without doubled names: 'Colombia imposes its ...'."""
        return without_doubled_names(text, (self.bare(key) for key in self.scenario.actors))

    # ---- moves

    def _issue_between(self, a: str, b: str | None):
        for issue in self.scenario.issues:
            if {issue.sender, issue.receiver} == {a, b}:
                return issue
        return self.scenario.issues[0]

    def _phrase(self, actor: str, action: Action) -> tuple[str, str, str]:
        """(verb, object, tail) of one action; actions sharing a verb are joined: 'threatens A and B'."""
        kind, measure, terms = action.kind, action.measure, action.terms
        if kind in MEASURE_ACTIONS:
            return {
                ActionType.THREATEN: ("threatens", self.own_measure(actor, measure, rates=True), ""),
                ActionType.IMPOSE: ("imposes", self.own_measure(actor, measure, rates=True), ""),
                ActionType.ESCALATE: ("steps up", self.own_measure(actor, measure, rates=False),
                                      "to the next rate at once"),
                ActionType.SUSPEND: ("holds", self.own_measure(actor, measure, False),
                                     "in reserve (drafted, not in force)"),
                ActionType.LIFT: ("lifts", self.own_measure(actor, measure, rates=False), ""),
            }[kind]
        other = self.name(action.counterpart)
        issue = self._issue_between(actor, action.counterpart)
        sender, receiver = self.name(issue.sender), self.name(issue.receiver)
        scale = f"0 is what {receiver} wants, 1 what {sender} wants"
        label = demand_label(issue)
        demand_words = {} if label is None else {
            ActionType.REFUSE_FLIGHTS: f"refuses the demand to {label}",
            ActionType.ACCEPT_FLIGHTS: f"gives way: agrees to {label} on {other}'s terms",
            ActionType.ACCEPT_WITH_CONDITIONS: f"agrees to {label}, but in its own way (a face-saving "
            "compromise)",
            ActionType.WITHDRAW_DEMAND: f"backs down: drops its demand to {label} and its measures "
            f"against {other}",
            ActionType.COMPLY_IN_PART: f"meets the demand to {label} in part ({terms or 0:.0%}) and "
            f"offers that to {other} as the settlement",
        }
        words = {
            ActionType.WAIT: "waits",
            ActionType.REFUSE_FLIGHTS: "refuses landing permission for the flights",
            ActionType.ACCEPT_FLIGHTS: f"accepts the flights on {other}'s terms",
            ActionType.ACCEPT_WITH_CONDITIONS: "accepts the flights, but on its own aircraft and "
            "without restraints (a face-saving compromise)",
            ActionType.WITHDRAW_DEMAND: f"backs down: stops the flights and drops its measures "
            f"against {other}",
            ActionType.COMPLY_IN_PART: f"meets the demand in part ({terms or 0:.0%}) and offers that "
            f"to {other} as the settlement",
            ActionType.PROPOSE_TERMS: f"proposes a deal through the back channel: terms "
            f"{terms or 0.5:.2f} ({scale})",
            ActionType.ACCEPT_TERMS: f"accepts the deal on the table: terms {terms or 0.5:.2f} ({scale})"
            + ("" if action.counterpart in (issue.sender, issue.receiver) else
               f", proposed by {other or 'a mediator'}"),
            ActionType.PUBLIC_STATEMENT: "commits itself in public: backing down will now cost it at home",
            ActionType.OPEN_TALKS: f"reaches out to {other} to open talks (a call, an envoy)",
            ActionType.SET_DEADLINE: f"gives {other} {action.hours or 0:g} hours to comply (a public "
            "deadline)",
            ActionType.OFFER_INDUCEMENT: f"offers {other} "
            f"{issue.inducement.label if issue.inducement is not None else 'an inducement'} if it complies",
            ActionType.COUNTER_DEMAND: f"asks {other} for "
            f"{issue.counter_demand.label if issue.counter_demand is not None else 'something'} in return "
            "for complying (complying without it would now cost it at home)",
            ActionType.MEET_COUNTER_DEMAND: f"agrees to give {other} "
            f"{issue.counter_demand.label if issue.counter_demand is not None else 'what it asked'} "
            "if it complies",
            ActionType.MEDIATE: f"offers to mediate in {other}'s dispute",
            ActionType.CONDEMN: f"condemns {other}",
            ActionType.OFFER_TO_RECEIVE: f"offers to take in other countries' deportees from {other}",
            ActionType.KEEP_DEAL: f"reviews the deal with {other} and keeps it: settled for good",
            ActionType.REOPEN: f"reviews the deal with {other} and reopens the crisis: it renews its demand "
            "under the threat of the measures it had suspended",
            **demand_words,
        }
        return words.get(kind, kind.value.replace("_", " ")), "", ""

    def moves(self, actor: str, actions: Iterable[Action]) -> str:
        """'United States threatens A and B; imposes C and D.'"""
        groups: dict[tuple[str, str], list[str]] = {}
        for action in actions:
            verb, obj, tail = self._phrase(actor, action)
            groups.setdefault((verb, tail), [])
            if obj:
                groups[(verb, tail)].append(obj)
        clauses = [" ".join(w for w in (verb, _and(objs), tail) if w)
                   for (verb, tail), objs in groups.items()]
        return f"{self.name(actor, start=True)} {'; '.join(clauses)}."

    # ---- the ending

    def ending(self, outcome: dict[str, Any]) -> list[Line]:
        """How the crisis ended, what was used, what it cost, and the turning points."""
        lines = [Line("How it ended", "head")]
        issues = outcome.get("issues") or [{
            "sender": self.scenario.issues[0].sender,
            "receiver": self.scenario.issues[0].receiver,
            **{k: outcome.get(k) for k in ("outcome", "variant", "decided_round", "decided_at_hours")},
        }]
        for issue in issues:
            lines.append(Line(self.verdict(issue), "end", "  "))
            hours = issue.get("decided_at_hours")
            if hours is not None and issue.get("outcome") not in ("standoff", "mutual_escalation"):
                lines.append(Line(f"Decided {self.when(float(hours))} (round {issue['decided_round']}).",
                                  "", "  "))
            elif hours is not None:
                lines.append(Line(f"Both sides had sanctions in force from {self.when(float(hours))}.",
                                  "", "  "))
        lines += self._measure_lines(outcome.get("measures") or {})
        lines += self._cost_lines(outcome)
        returned = outcome.get("deportees_returned")
        flights = [i for i in self.scenario.issues if demand_label(i) is None]
        pending = sum(i.deportees_pending for i in flights)
        if returned is not None and flights:
            text = f"People returned by the end: {returned:,} of {pending:,}"
            if outcome.get("first_flight_hours") is not None:
                text += f"; the first flight landed {self.when(float(outcome['first_flight_hours']))}"
            lines.append(Line(text + ".", "", "  "))
        rounds = outcome.get("rounds_run")
        if rounds is not None:
            hours = rounds * self.scenario.round_hours
            how = ("it stopped once the crisis was settled" if outcome.get("stopped_early")
                   else "it ran to the end of its horizon")
            lines.append(Line(f"The simulation covered {rounds} rounds ({_span(hours)}): {how}.",
                              "", "  "))
        turning = outcome.get("turning_points") or []
        if turning:
            lines += [Line(""), Line("Turning points", "head")]
            for point in turning:
                lines.append(Line(capital(self.tidy(str(point.get("text", "")))), "",
                                  f"  {self.clock(float(point.get('hours', 0)))} ★ ", "turn"))
        return lines

    def verdict(self, issue: dict[str, Any]) -> str:
        """One sentence on how one issue ended."""
        s_key, r_key = issue.get("sender"), issue.get("receiver")
        sender, receiver = self.name(s_key), self.name(r_key)
        first_s, first_r = self.name(s_key, start=True), self.name(r_key, start=True)
        outcome, variant = issue.get("outcome"), issue.get("variant")
        label = demand_label(self._issue_between(s_key, r_key)) if s_key else None
        if variant == Variant.PARTIAL:
            return self._partial_verdict(outcome, issue.get("fraction_met"), label, first_r, sender)
        if outcome == "defused":
            return self._defused_verdict(issue.get("status"), label, first_s, first_r)
        if outcome == "claimed_by_both":
            what = f"agreed to {label}" if label is not None else f"met {sender}'s demand"
            return (f"{first_r} {what} on terms that left it part of what it asked: a deal each side "
                    "could present to its public as its own win.")
        if label is not None and outcome in ("target_concedes", "initiator_backs_down"):
            return self._demand_verdict(outcome, variant, label, first_s, first_r, sender)
        if outcome == "target_concedes":
            if variant == Variant.FACE_SAVING:
                return (f"{first_r} gave way: it accepted the flights, but on its own aircraft and "
                        "without restraints, a face-saving compromise.")
            if variant == Variant.TERMS:
                return f"{first_r} gave way, accepting a deal close to what {sender} demanded."
            return f"{first_r} gave way and accepted the flights on the terms {sender} set."
        if outcome == "initiator_backs_down":
            return f"{first_s} backed down: it stopped the flights to {receiver} and dropped its measures."
        if outcome == "negotiated_settlement":
            return f"{first_s} and {receiver} struck a deal in between: each gave up part of what it wanted."
        if outcome == "mutual_escalation":
            return (f"Nobody gave way, and {sender} and {receiver} had sanctions in force against each "
                    "other: mutual escalation, a small trade war.")
        return f"Nobody gave way between {sender} and {receiver}, and no one fired both barrels: a standoff."

    @staticmethod
    def _partial_verdict(outcome: Any, fraction: Any, label: str | None, first_r: str, sender: str) -> str:
        """The verdict of an issue settled on the demand met in part."""
        part = f" ({float(fraction):.0%})" if fraction is not None else ""
        what = "the demand" if label is None else f"the demand to {label}"
        ending = {
            "defused": "before either side threatened a measure: the dispute was defused",
            "claimed_by_both": "a deal each side could present to its public as its own win",
            "initiator_backs_down": f"so little that {sender} in effect backed down",
        }.get(str(outcome), "a deal in between, each side giving up part of what it wanted")
        return f"{first_r} met {what} in part{part}, and {sender} accepted that as the settlement: {ending}."

    @staticmethod
    def _defused_verdict(status: Any, label: str | None, first_s: str, first_r: str) -> str:
        """The verdict of an issue decided before anyone threatened a measure."""
        if status == "withdrawn":
            done = f"{first_s} dropped its demand" + (f" to {label}" if label is not None else "")
        elif label is not None:
            done = f"{first_r} agreed to {label}"
        else:
            done = f"{first_r} accepted the flights"
        return (f"{done} before either side threatened a measure: the dispute was defused "
                "before it became a coercion crisis.")

    @staticmethod
    def _demand_verdict(outcome: str, variant: Any, label: str, first_s: str, first_r: str,
                        sender: str) -> str:
        """The verdict of an issue that is not about flights, in the demand's own words."""
        if outcome == "initiator_backs_down":
            return f"{first_s} backed down: it dropped its demand to {label} and its measures."
        if variant == Variant.FACE_SAVING:
            return f"{first_r} gave way: it agreed to {label}, in a form that saved face."
        if variant == Variant.TERMS:
            return f"{first_r} gave way, accepting a deal close to what {sender} demanded ({label})."
        return f"{first_r} gave way and agreed to {label} on the terms {sender} set."

    def _measure_lines(self, measures: dict[str, dict[str, Any]]) -> list[Line]:
        imposed, threatened, unused = [], [], []
        final_words = {"lifted": "then lifted", "suspended": "then held in reserve",
                       "imposed": "still in force at the end"}
        for key, info in measures.items():
            label = str(info.get("label") or key)
            furthest = info.get("furthest")
            if furthest == "imposed" and info.get("final") == "done":
                imposed.append(f"{label} (a one-off act, done once)")
            elif furthest == "imposed":
                hours = float(info.get("imposed_hours") or 0)
                final = final_words.get(str(info.get("final")), str(info.get("final")))
                imposed.append(f"{label} (in force {_span(hours)}, {final})")
            elif furthest in ("threatened", "suspended"):
                threatened.append(label)
            else:
                unused.append(label)
        lines = []
        if imposed:
            lines.append(Line(f"Imposed: {_and(imposed)}.", "", "  "))
        if threatened:
            lines.append(Line(f"Only threatened, never imposed: {_and(threatened)}.", "", "  "))
        if unused:
            lines.append(Line(f"Never used: {_and(unused)}.", "", "  "))
        return lines

    def _cost_lines(self, outcome: dict[str, Any]) -> list[Line]:
        costs = outcome.get("costs_usd_bn") or {}
        approval = outcome.get("approval") or {}
        parts = []
        for key, actor in self.scenario.actors.items():
            if key not in costs and key not in approval:
                continue
            lost = float(costs.get(key, 0.0))
            text = f"{self.name(key)} lost {money(lost) + ' of' if lost > 0 else 'no'} trade"
            if key in approval:
                change = float(approval[key]) - actor.approval
                text += (f" and its approval went from {pct(actor.approval, 1)} to "
                         f"{pct(float(approval[key]), 1)} ({points(change)} points)")
            parts.append(text)
        return [Line(f"What it cost: {'; '.join(parts)}.", "", "  ")] if parts else []


def own_words(name: str, label: str, own: str = "its") -> str:
    """``label`` with a leading ``name`` (or its adjective, 'Colombian') replaced by ``own``."""
    return re.sub(rf"^{re.escape(name)}\w*\b", own, label)


def _takes_the(name: str) -> bool:
    """Country names read with an article: the United States, the Netherlands, the Czech Republic."""
    words = name.split()
    return bool(words) and (words[0] in ("United", "Dominican", "Central") or words[-1] in (
        "Republic", "Kingdom", "Emirates", "Islands", "Netherlands", "Philippines", "Bahamas"))


def a_pct(value: float) -> str:
    """'a 96%' or 'an 80%' chance."""
    text = pct(value)
    return ("an " if re.match(r"(8|11%|18%)", text) else "a ") + text


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _span(hours: float) -> str:
    return f"{hours:g} hours" if hours < 72 else f"{hours / 24:.1f} days"


# --------------------------------------------------------------------------
# The story of a run
# --------------------------------------------------------------------------


class _Frames:
    """Per-round numbers of a run, looked up by round."""

    def __init__(self, result: Any):
        self.rows = {int(row["round"]): row for row in result.model_frame.to_dict("records")}
        self.actors: dict[tuple[int, str], dict] = {
            (int(row["round"]), str(row["actor"])): row for row in result.actor_frame.to_dict("records")
        }

    def status(self, r: int, keys: list[str]) -> dict[str, tuple[float, float]]:
        row = self.rows.get(r, {})
        return {k: (float(row.get(approval_column(k), math.nan)), float(row.get(cost_column(k), 0.0)))
                for k in keys}

    def belief(self, r: int, who: str, about: str) -> float | None:
        value = self.actors.get((r, who), {}).get(belief_column(about))
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return float(value)


def _template(reason: str) -> str:
    """A reason with its numbers blanked, to tell a new thought from the same one."""
    return re.sub(r"[-+]?\d+(\.\d+)?", "#", reason)


def narrate_lines(result: Any) -> list[Line]:
    """The story of ``result`` as :class:`Line` objects (see :func:`narrate`)."""
    scenario = result.scenario
    teller = Teller(scenario)
    frames = _Frames(result)
    keys = list(scenario.actors)
    lines = _opening(teller, frames, keys, result.seed)

    events: defaultdict[int, list[LogEntry]] = defaultdict(list)
    for entry in result.events:
        events[entry.round].append(entry)
    turning = defaultdict(list)
    for point in result.outcome.get("turning_points") or []:
        turning[int(point.get("round", 0))].append(str(point.get("text", "")))

    last_reason: dict[str, str] = {}
    shown = frames.status(0, keys)
    shown_day = status_day = teller.day(0.0)
    status_hours = 0.0
    lines += [Line(""), Line(shown_day, "head")]
    quiet = 0
    for r in sorted(frames.rows):
        # a round's moves and events are dated at its opening; its row is recorded at its close
        hours = max(0.0, float(frames.rows[r]["hours"]) - (scenario.round_hours if r > 0 else 0.0))
        stamp = f"  {teller.clock(hours)} — "
        indent = " " * len(stamp)
        block: list[Line] = _opening_refusals(teller, stamp) if r == 0 else []
        notes = set()
        for entry in events.get(r, []):
            block += event_lines(teller, entry, stamp, last_reason)
            if entry.kind is LogKind.EVENT:
                notes.add(entry.reason.lower())
        if r > 0:
            block += _change_lines(teller, frames, r, keys, indent)
        block += [Line(capital(teller.tidy(text)), "turn", indent + "★ Turning point: ")
                  for text in turning.get(r, []) if text.lower() not in notes]
        if block and not block[0].prefix.startswith(stamp):
            first = block[0]
            block[0] = Line(first.text, first.style, stamp + first.prefix.strip().removeprefix("→").strip()
                            + (" " if "★" in first.prefix else ""), "time")
        status = frames.status(r, keys)
        day = teller.day(hours)
        # The score: after a move that shifted approval by a point; otherwise at most once a
        # day when approval moved by half a point, or once a week while costs pile up.
        if r > 0 and ((block and _moved(shown, status, approval=0.01, cost=None))
                      or (day != status_day and _moved(shown, status, approval=0.005, cost=None))
                      or (day != status_day and hours - status_hours >= 7 * 24
                          and _moved(shown, status, approval=0.001, cost=0.0001))):
            block.append(_status_line(teller, status, indent + "→ " if block else stamp))
            shown, status_day, status_hours = status, day, hours
        if not block:
            quiet += 1
            continue
        if quiet >= 2:
            span = _span(quiet * scenario.round_hours)
            lines.append(Line(f"· · · {quiet} quiet rounds ({span}): no new moves · · ·", "why", "  "))
        quiet = 0
        if day != shown_day:
            lines += [Line(""), Line(day, "head")]
            shown_day = day
        lines += block
    lines.append(Line(""))
    lines += teller.ending(result.outcome)
    return lines


def narrate(result: Any, color: bool = False, width: int = WIDTH) -> str:
    """Tell a run as a story in simulated clock time; ANSI colour only when ``color``.

    Args:
        result: a finished run: a :class:`~crisis_sim.runs.single_run.RunResult`, or anything
            with its fields (``scenario``, ``seed``, ``events``, ``model_frame``,
            ``actor_frame``, ``outcome``).
        color: add ANSI colour (for a terminal; never when the output is piped).
        width: column width to wrap at.
    """
    return render(narrate_lines(result), color=color, width=width)


def capital(text: str) -> str:
    """The text with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def _opening(teller: Teller, frames: _Frames, keys: list[str], seed: int) -> list[Line]:
    s = teller.scenario
    lines = [Line(f"{s.title}  [{s.name}, seed {seed}]", "title"), Line(""), Line("Who is involved", "head")]
    for issue in s.issues:
        if issue.opens_at_hours > 0:
            continue  # it does not exist yet: told when it opens
        label = demand_label(issue)
        if label is not None:
            lines.append(Line(f"{teller.name(issue.sender, start=True)} demands that "
                              f"{teller.name(issue.receiver)} {label}.", "", "  "))
            continue
        load = f"{issue.deportees_pending:,} people waiting, {issue.deportees_per_flight} a flight"
        plane = f"on {issue.aircraft} aircraft" + (", in restraints" if issue.restraints else "")
        lines.append(Line(f"{teller.name(issue.sender, start=True)} wants to send deportation flights to "
                          f"{teller.name(issue.receiver)}: {load}, {plane}.", "", "  "))
    for flow in s.trade:
        share = flow.usd_bn / s.actors[flow.exporter].gdp_usd_bn
        lines.append(Line(f"{teller.name(flow.exporter, start=True)} sells {money(flow.usd_bn)} of goods a "
                          f"year to {teller.name(flow.importer)}: {pct(share, 1 if share >= 0.01 else 2)} "
                          "of its economy.", "", "  "))
    approval = ", ".join(f"{teller.name(k)} {pct(a.approval)}" for k, a in s.actors.items())
    lines.append(Line(f"Approval at home at the start: {approval}.", "", "  "))
    committed = [teller.name(k) for k, a in s.actors.items() if a.public_commitment]
    if committed:
        lines.append(Line(f"Already committed in public: {_and(committed)}. Backing down will cost "
                          f"{'it' if len(committed) == 1 else 'them'} approval at home (audience costs).",
                          "", "  "))
    for who in keys:
        for about in keys:
            belief = frames.belief(0, who, about)
            if belief is not None and s.actors[who].role.value != "third_party":
                lines.append(Line(f"{teller.name(who, start=True)} thinks there is {a_pct(belief)} chance "
                                  f"{teller.name(about)} means it.", "", "  "))
    lines += [
        Line(""),
        Line(f"How to read this: one round is {s.round_hours:g} hours. To \"mean it\" is to be resolute: "
             "ready to bear the costs rather than give way. Nobody knows for sure how resolute the "
             "other side is; each side learns from what the other does. A government's reasoning is "
             "quoted as its policy gives it: \"pts\" are points of approval at home, so \"-3.8 pts\" "
             "means a move is expected to cost 3.8 points; \"P(they yield) 0.12\" is a 12% chance "
             "that the other side gives way.", "why", "  "),
    ]
    return lines


def _opening_refusals(teller: Teller, stamp: str) -> list[Line]:
    lines = []
    for issue in teller.scenario.issues:
        if not issue.refused_at_start or issue.opens_at_hours > 0:
            continue  # an issue that opens later is told when it opens (an event of the log)
        receiver = teller.scenario.actors[issue.receiver]
        label = demand_label(issue)
        refusal = (f"refuses the demand of {teller.name(issue.sender)} to {label}" if label is not None
                   else f"refuses landing permission for the deportation flights from "
                        f"{teller.name(issue.sender)}")
        text = (f"{teller.name(issue.receiver, start=True)} {refusal}. Dignity and sovereignty "
                f"matter {_share_words(receiver.dignity)} to it")
        text += ", and it has said so in public." if receiver.public_commitment else "."
        lines.append(Line(text, "", stamp, "time"))
    return lines


def event_lines(teller: Teller, entry: LogEntry, stamp: str, last_reason: dict[str, str]) -> list[Line]:
    """Lines for one log entry: a scheduled event, or a government's move and its reasoning.

    A wait is told only when its reasoning is new (``last_reason`` remembers, per
    government, the last reasoning with its numbers blanked).
    """
    actor, reason = entry.actor, teller.tidy(plain_reason(entry.reason))
    if entry.kind is LogKind.EVENT:
        return [Line(capital(reason).rstrip(".") + ".", "note", stamp, "time")] if reason else []
    if actor is None:
        return []
    indent = " " * len(stamp)
    why = [Line(reason, "why", indent + "Its reasoning: ")] if reason else []
    if entry.is_wait:
        if not reason or reason == "nothing to do" or _template(reason) == last_reason.get(actor):
            return []
        last_reason[actor] = _template(reason)
        return [Line(f"{teller.name(actor, start=True)} waits.", "", stamp, "time"), *why]
    last_reason[actor] = _template(reason)
    return [Line(teller.moves(actor, entry.actions), "", stamp, "time"), *why]


def _change_lines(teller: Teller, frames: _Frames, r: int, keys: list[str], indent: str) -> list[Line]:
    """Rates that moved, beliefs that moved, and flights that landed in round ``r``."""
    now, before = frames.rows.get(r, {}), frames.rows.get(r - 1, {})
    lines = []
    for key, spec in teller.scenario.measures.items():
        new, old = float(now.get(rate_column(key), 0.0)), float(before.get(rate_column(key), 0.0))
        if math.isclose(new, old) or now.get(state_column(key)) != MeasureState.IMPOSED.label:
            continue
        if old > 0:
            verb = "climbs" if new > old else "falls"
            lines.append(Line(f"{capital(spec.label)} {verb} from {rate_text(old)} to {rate_text(new)}.",
                              "note", indent + "→ "))
        elif before.get(state_column(key)) == MeasureState.IMPOSED.label:
            lines.append(Line(f"{capital(spec.label)} takes effect at {rate_text(new)}.", "note",
                              indent + "→ "))
    for who in keys:
        for about in keys:
            new_b, old_b = frames.belief(r, who, about), frames.belief(r - 1, who, about)
            if new_b is None or old_b is None or abs(new_b - old_b) < 0.02:
                continue
            lines.append(Line(f"{teller.name(who, start=True)} now thinks there is {a_pct(new_b)} chance "
                              f"{teller.name(about)} means it (it thought {pct(old_b)}).",
                              "note", indent + "→ "))
    returned = int(now.get("deportees_returned", 0) or 0)
    if returned > int(before.get("deportees_returned", 0) or 0):
        pending = int(now.get("deportees_pending", 0) or 0)
        labels = [demand_label(i) for i in teller.scenario.issues]
        if all(label is not None for label in labels):
            lines.append(Line(f"The demand is carried out: {_and([str(x) for x in labels])}.",
                              "note", indent + "→ "))
        else:
            landed = teller.clock(float(now.get("hours", 0.0)))  # flights land by the round's close
            lines.append(Line(f"A flight lands (by {landed}): {returned:,} people returned so far, "
                              f"{pending:,} still waiting.", "note", indent + "→ "))
    return lines


def _moved(old: dict[str, tuple[float, float]], new: dict[str, tuple[float, float]],
           approval: float, cost: float | None) -> bool:
    """Whether approval moved by ``approval`` or cost grew by ``cost`` (USD bn) for anyone."""
    for key, (value, spent) in new.items():
        old_value, old_spent = old.get(key, (value, spent))
        if abs(value - old_value) >= approval:
            return True
        if cost is not None and spent - old_spent >= cost:
            return True
    return False


def _status_line(teller: Teller, status: dict[str, tuple[float, float]], prefix: str) -> Line:
    approval = []
    for key, (value, _) in status.items():
        start = teller.scenario.actors[key].approval
        approval.append(f"{teller.name(key)} {pct(value, 1)} ({points(value - start)})")
    text = "Approval at home (change since the start): " + ", ".join(approval) + "."
    costs = [f"{teller.name(k)} {money(c)}" for k, (_, c) in status.items() if c > 0]
    if costs:
        text += " Trade lost so far: " + ", ".join(costs) + "."
    return Line(text, "note", prefix)
