"""Checks across references in a raw scenario mapping.

An actor named in a trade flow, a measure, an issue or an event must exist,
and a measure named in the ``history`` block must be in the catalogue;
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
    """Cross-field checks on the raw mapping, tolerant of wrong types elsewhere."""
    problems: list[str] = []
    actors = data.get("actors") if isinstance(data.get("actors"), dict) else {}
    known = set(actors)

    def check(path: str, value: Any) -> None:
        if isinstance(value, str) and known and value not in known:
            problems.append(
                f"{path}: unknown actor '{value}'; actors are {', '.join(sorted(known))}"
            )

    for i, flow in enumerate(_as_list(data.get("trade"))):
        if isinstance(flow, dict):
            check(f"trade.{i}.exporter", flow.get("exporter"))
            check(f"trade.{i}.importer", flow.get("importer"))
    measures = data.get("measures") if isinstance(data.get("measures"), dict) else {}
    for key, measure in measures.items():
        if isinstance(measure, dict):
            check(f"measures.{key}.imposer", measure.get("imposer"))
            check(f"measures.{key}.target", measure.get("target"))
            if measure.get("imposer") is not None and measure.get("imposer") == measure.get(
                "target"
            ):
                problems.append(f"measures.{key}.target: a government cannot target itself")
    for i, issue in enumerate(_as_list(data.get("issues"))):
        if isinstance(issue, dict):
            check(f"issues.{i}.sender", issue.get("sender"))
            check(f"issues.{i}.receiver", issue.get("receiver"))
            if issue.get("sender") is not None and issue.get("sender") == issue.get("receiver"):
                problems.append(f"issues.{i}.receiver: must differ from the sender")
    for i, event in enumerate(_as_list(data.get("events"))):
        if isinstance(event, dict):
            for j, name in enumerate(_as_list(event.get("actors"))):
                check(f"events.{i}.actors.{j}", name)
    history = data.get("history")
    if isinstance(history, dict):
        for j, name in enumerate(_as_list(history.get("measures_imposed"))):
            if isinstance(name, str) and name not in measures:
                known_measures = ", ".join(sorted(measures)) or "none"
                problems.append(
                    f"history.measures_imposed.{j}: unknown measure '{name}'; measures are {known_measures}"
                )
    for key, actor in actors.items():
        if isinstance(actor, dict) and isinstance(actor.get("policy"), dict):
            spec = actor["policy"]
            problems.extend(
                f"actors.{key}.policy.{line}"
                for line in policy_problems(spec.get("name"), spec.get("params") or {})
            )
            problems.extend(_param_reference_problems(f"actors.{key}.policy.params", spec, data))
    return problems


def _param_reference_problems(path: str, spec: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """A measure or actor named in a policy's parameters must exist in the scenario."""
    name = spec.get("name")
    if not isinstance(name, str) or name not in REGISTRY:
        return []  # policy_problems reports the unknown policy
    names = {kind: data.get(kind + "s") if isinstance(data.get(kind + "s"), dict) else {}
             for kind in ("measure", "actor")}
    problems = []
    for where, kind, value in param_references(REGISTRY[name].Params, spec.get("params")):
        if value not in names[kind]:
            known = ", ".join(sorted(names[kind])) or "none"
            problems.append(f"{path}.{where}: unknown {kind} '{value}'; {kind}s are {known}")
    return problems


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []
