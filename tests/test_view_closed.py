"""No peeking: a government's view holds no path back to the model or to the others' resolve.

Resolve is private information (Fearon 1995, docs/sources.md §3 fearon1995):
a policy may use its own resolve and its beliefs about the others, never the
others' drawn resolve. These tests walk everything reachable from the views
handed to policies in real runs of every bundled scenario — attributes,
``__dict__`` and ``__slots__``, mappings and sequences, bound methods'
``__self__``, closures' cells, ``functools.partial`` parts — and fail on
reaching the model, a government, the run-state records, or another
government's resolve object.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import types
from collections.abc import Iterator, Mapping
from enum import Enum

import mesa
import pytest

from crisis_sim.core import beliefs as belief_grid
from crisis_sim.core.government import Government
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.state import IssueRun, MeasureRun
from crisis_sim.core.view import WorldView
from crisis_sim.scenario import bundled_scenarios, load_scenario

FORBIDDEN = (mesa.Model, mesa.Agent, CrisisModel, Government, MeasureRun, IssueRun)
LEAVES = (str, bytes, int, float, complex, type(None), Enum, type, types.ModuleType)


def _children(obj: object) -> Iterator[tuple[str, object]]:
    """Everything one step from ``obj`` that code holding ``obj`` could follow."""
    yield from _items(obj)
    yield from _function_parts(obj)
    if isinstance(obj, (types.FunctionType, types.MethodType, types.BuiltinFunctionType)):
        return
    for name, value in getattr(obj, "__dict__", {}).items():
        yield f".{name}", value
    yield from _slots(obj)


def _items(obj: object) -> Iterator[tuple[str, object]]:
    """A mapping's keys and values, a sequence's or set's items."""
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            yield f"[{key!r}] (key)", key
            yield f"[{key!r}]", value
    elif isinstance(obj, (tuple, list, set, frozenset)):
        for i, item in enumerate(obj):
            yield f"[{i}]", item


def _function_parts(obj: object) -> Iterator[tuple[str, object]]:
    """What a callable carries: a partial's function and arguments, a bound method's object,
    defaults, the cells it closes over."""
    if isinstance(obj, functools.partial):
        yield ".func", obj.func
        yield ".args", obj.args
        yield ".keywords", obj.keywords
    for name in ("__self__", "__func__", "__wrapped__", "__defaults__", "__kwdefaults__"):
        value = getattr(obj, name, None)
        if value is not None and not isinstance(value, types.ModuleType):
            yield f".{name}", value
    for i, cell in enumerate(getattr(obj, "__closure__", None) or ()):
        with contextlib.suppress(ValueError):  # an empty cell has no contents
            yield f".__closure__[{i}]", cell.cell_contents


def _slots(obj: object) -> Iterator[tuple[str, object]]:
    """The values in an object's slots, of every class of its type."""
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if name in ("__dict__", "__weakref__"):
                continue
            if name.startswith("__") and not name.endswith("__"):
                name = f"_{cls.__name__.lstrip('_')}{name}"
            if hasattr(obj, name):
                yield f".{name}", getattr(obj, name)


def leaks(root: object, private: set[int]) -> list[str]:
    """Paths from ``root`` to a forbidden object or to a float whose id is in ``private``."""
    found, seen, stack = [], set(), [("view", root)]
    while stack:
        path, obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, FORBIDDEN):
            found.append(f"{path}: {type(obj).__name__}")
            continue
        if isinstance(obj, float) and id(obj) in private:
            found.append(f"{path}: another government's resolve")
            continue
        if isinstance(obj, LEAVES):
            continue
        stack.extend((path + step, child) for step, child in _children(obj))
    return found


def _private_resolves(model: CrisisModel, me: str) -> set[int]:
    """Ids of the other governments' resolve objects (a resolve drawn with sd 0 is the
    public mean itself, not a secret, and is left out)."""
    return {id(g.resolve) for k, g in model.governments.items()
            if k != me and g.resolve is not g.spec.resolve.mean}


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_views_built_in_a_real_run_lead_nowhere_private(name, monkeypatch):
    checked = []
    build = CrisisModel.views_for

    def spy(model: CrisisModel, gov: Government) -> list[WorldView]:
        views = build(model, gov)
        for view in views:
            view.legal  # noqa: B018 - the legal moves are part of what a policy can reach
            problems = leaks(view, _private_resolves(model, gov.key))
            assert not problems, f"round {model.round}, {gov.key}: {problems[:3]}"
            checked.append(view)
        return views

    monkeypatch.setattr(CrisisModel, "views_for", spy)
    scenario = load_scenario(name)
    model = CrisisModel(scenario, seed=3)
    for _ in range(scenario.rounds):
        if not model.running:
            break
        model.step()
    assert checked, "no view was built"
    assert {v.me for v in checked} == set(scenario.actors)


def test_the_walk_finds_a_path_back_to_the_model():
    """The walk is not blind: the old design (legal moves as a partial over the model's
    method) and a closure over a government are both caught."""
    model = CrisisModel(load_scenario("us_colombia_2025"), seed=0)
    gov = model.governments["united_states"]
    other = model.governments["colombia"]
    (view,) = model.views_for(gov)
    peek = functools.partial(model.legal_actions, gov.key, view.issue)
    assert any("CrisisModel" in p for p in leaks((view, peek), set()))
    assert any(".__closure__" in p for p in leaks(lambda: other, set()))
    secret = {id(other.resolve)}
    assert leaks(view, secret) == []
    assert leaks(types.MappingProxyType({"colombia": other.resolve}), secret) == [
        "view['colombia']: another government's resolve"]


def test_a_view_is_frozen_and_its_mappings_read_only():
    model = CrisisModel(load_scenario("us_colombia_2025"), seed=0)
    (view,) = model.views_for(model.governments["colombia"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.resolve = 1.0  # type: ignore[misc]
    for mapping in (view.beliefs, view.resolve_means, view.last_moves, view.proposals,
                    view.resolve_beliefs, view.profiles):
        with pytest.raises(TypeError):
            mapping["united_states"] = 0.0  # type: ignore[index]
    # the public prior: P(resolve > 0.5) under the Beta(0.8, 0.1) the US's resolve is drawn from
    prior = belief_grid.prior(0.8, 0.1)
    assert view.beliefs == {"united_states": pytest.approx(belief_grid.p_resolute(prior))}
    assert view.legal == frozenset(model.legal_actions("colombia", view.issue))
