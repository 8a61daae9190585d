"""Checks across references in a raw scenario mapping.

An actor named in a trade flow, a measure (its ``via`` countries too), an issue
or an event must exist, and a measure named in the ``history`` block must be in
the catalogue; a secondary measure's ``via`` countries are third countries the
target sells to; an issue opens before the horizon; an event's payload
(``government``, ``market``) goes with its kind, and a new government's policy
is registered and fits its parameters;
a policy must be registered and its parameters must fit it, and a measure or
actor named in its parameters (those its ``Params`` type
:data:`~crisis_sim.core.policy.MeasureId` or :data:`~crisis_sim.core.policy.ActorId`)
must exist too. The checks read
the raw mapping, so they still run (and report) when other fields have the
wrong type.
"""

from __future__ import annotations

from typing import Any

from crisis_sim.core.policy import REGISTRY, param_references, policy_problems


def reference_problems(data: dict[str, Any]) -> list[str]:
    """Cross-field checks on the raw mapping, tolerant of wrong types elsewhere: section by
    section, in the order of the file's sections."""
    known = set(_as_dict(data.get("actors")))
    return [*_trade_problems(data, known), *_measure_problems(data, known), *_issue_problems(data, known),
            *_event_problems(data, known), *_history_problems(data), *_actor_policy_problems(data)]


def _unknown_actor(path: str, value: Any, known: set[str]) -> list[str]:
    """A problem if ``value`` names no actor (when the actors are known)."""
    if isinstance(value, str) and known and value not in known:
        return [f"{path}: unknown actor '{value}'; actors are {', '.join(sorted(known))}"]
    return []


def _trade_problems(data: dict[str, Any], known: set[str]) -> list[str]:
    problems: list[str] = []
    for i, flow in enumerate(_as_list(data.get("trade"))):
        if isinstance(flow, dict):
            problems += _unknown_actor(f"trade.{i}.exporter", flow.get("exporter"), known)
            problems += _unknown_actor(f"trade.{i}.importer", flow.get("importer"), known)
    return problems


def _measure_problems(data: dict[str, Any], known: set[str]) -> list[str]:
    problems: list[str] = []
    for key, measure in _as_dict(data.get("measures")).items():
        if not isinstance(measure, dict):
            continue
        problems += _unknown_actor(f"measures.{key}.imposer", measure.get("imposer"), known)
        problems += _unknown_actor(f"measures.{key}.target", measure.get("target"), known)
        if measure.get("imposer") is not None and measure.get("imposer") == measure.get("target"):
            problems.append(f"measures.{key}.target: a government cannot target itself")
        for j, name in enumerate(_as_list(measure.get("via"))):
            problems += _unknown_actor(f"measures.{key}.via.{j}", name, known)
        problems.extend(_via_problems(f"measures.{key}", measure, data, known))
    return problems


def _issue_problems(data: dict[str, Any], known: set[str]) -> list[str]:
    problems: list[str] = []
    for i, issue in enumerate(_as_list(data.get("issues"))):
        if not isinstance(issue, dict):
            continue
        problems += _unknown_actor(f"issues.{i}.sender", issue.get("sender"), known)
        problems += _unknown_actor(f"issues.{i}.receiver", issue.get("receiver"), known)
        if issue.get("sender") is not None and issue.get("sender") == issue.get("receiver"):
            problems.append(f"issues.{i}.receiver: must differ from the sender")
        problems.extend(_opening_problems(f"issues.{i}", issue, data))
    return problems


def _event_problems(data: dict[str, Any], known: set[str]) -> list[str]:
    problems: list[str] = []
    for i, event in enumerate(_as_list(data.get("events"))):
        if not isinstance(event, dict):
            continue
        for j, name in enumerate(_as_list(event.get("actors"))):
            problems += _unknown_actor(f"events.{i}.actors.{j}", name, known)
        problems.extend(_payload_problems(f"events.{i}", event, data))
        market = event.get("market")
        if isinstance(market, dict):
            for j, name in enumerate(_as_list(market.get("partners"))):
                problems += _unknown_actor(f"events.{i}.market.partners.{j}", name, known)
    return problems


def _history_problems(data: dict[str, Any]) -> list[str]:
    history = data.get("history")
    if not isinstance(history, dict):
        return []
    measures = _as_dict(data.get("measures"))
    known_measures = ", ".join(sorted(measures)) or "none"
    return [f"history.measures_imposed.{j}: unknown measure '{name}'; measures are {known_measures}"
            for j, name in enumerate(_as_list(history.get("measures_imposed")))
            if isinstance(name, str) and name not in measures]


def _actor_policy_problems(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for key, actor in _as_dict(data.get("actors")).items():
        if isinstance(actor, dict) and isinstance(actor.get("policy"), dict):
            spec = actor["policy"]
            problems.extend(
                f"actors.{key}.policy.{line}"
                for line in policy_problems(spec.get("name"), spec.get("params") or {})
            )
            problems.extend(_param_reference_problems(f"actors.{key}.policy.params", spec, data))
    return problems


PAYLOADS = {"government": "government_change", "market": "market_shock"}
"""An event's payload block and the one kind of event that takes it."""


def _payload_problems(path: str, event: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """An event's payload goes with its kind (and a new government's policy must fit)."""
    problems: list[str] = []
    kind = event.get("kind")
    for block, wanted in PAYLOADS.items():
        given = event.get(block) is not None
        if given and isinstance(kind, str) and kind != wanted:
            problems.append(f"{path}.{block}: only an event of kind {wanted} takes it, not {kind}")
        elif not given and kind == wanted:
            problems.append(f"{path}.{block}: required for an event of kind {wanted}")
    government = event.get("government")
    if isinstance(government, dict) and isinstance(government.get("policy"), dict):
        spec = government["policy"]
        problems.extend(f"{path}.government.policy.{line}"
                        for line in policy_problems(spec.get("name"), spec.get("params") or {}))
        problems.extend(_param_reference_problems(f"{path}.government.policy.params", spec, data))
    return problems


def _via_problems(path: str, measure: dict[str, Any], data: dict[str, Any], known: set[str]) -> list[str]:
    """Each third country of a secondary measure is a government other than its imposer and
    target, and the target sells to it (else the measure would bite on nothing)."""
    problems: list[str] = []
    flows = set()
    for flow in _as_list(data.get("trade")):
        if isinstance(flow, dict) and isinstance(flow.get("exporter"), str) \
                and isinstance(flow.get("importer"), str):
            flows.add((flow["exporter"], flow["importer"]))
    target = measure.get("target")
    if not isinstance(target, str):
        return []  # the schema reports the wrong type
    for j, name in enumerate(_as_list(measure.get("via"))):
        if not isinstance(name, str) or (known and name not in known):
            continue  # the unknown actor is reported by the caller's check
        if name in (measure.get("imposer"), target):
            problems.append(f"{path}.via.{j}: must be a third country, not the measure's imposer or target")
        elif (target, name) not in flows:
            problems.append(f"{path}.via.{j}: no trade from '{target}' to '{name}' in trade: "
                            "the measure would bite on nothing")
    return problems


def _opening_problems(path: str, issue: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """An issue must open before the horizon (``rounds`` × ``round_hours``)."""
    opens: Any  # any type here: checked to be numbers before they are compared
    rounds: Any
    hours: Any
    opens, rounds, hours = issue.get("opens_at_hours"), data.get("rounds"), data.get("round_hours")
    numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (opens, rounds, hours))
    if not numbers or opens < 0 or rounds < 1 or hours <= 0:
        return []  # the schema reports wrong types and ranges
    horizon = rounds * hours
    if opens >= horizon:
        return [f"{path}.opens_at_hours: opens at hour {opens:g}, not before the horizon "
                f"(rounds × round_hours = {horizon:g} hours)"]
    return []


def _param_reference_problems(path: str, spec: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """A measure or actor named in a policy's parameters must exist in the scenario."""
    name = spec.get("name")
    if not isinstance(name, str) or name not in REGISTRY:
        return []  # policy_problems reports the unknown policy
    names = {kind: _as_dict(data.get(kind + "s")) for kind in ("measure", "actor")}
    problems: list[str] = []
    for where, kind, value in param_references(REGISTRY[name].Params, spec.get("params")):
        if value not in names[kind]:
            known = ", ".join(sorted(names[kind])) or "none"
            problems.append(f"{path}.{where}: unknown {kind} '{value}'; {kind}s are {known}")
    return problems


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
