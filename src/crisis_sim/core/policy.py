"""The policy interface and the registry of policies by name.

A policy is how a government decides, in the manner of Axelrod's strategies:
one class, a registered name, a one-line summary, a typed set of parameters,
and one method. Here the method returns *options* (moves with utilities and
reasons) rather than a single move; the government then chooses among them
with logit noise (see :func:`crisis_sim.core.dynamics.logit_choice`), so a rule-based
policy that scores one option 1 and the rest 0 trembles now and then, while an
expected-utility policy errs more when its options are close.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import annotated_types
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticUndefined, to_jsonable_python

from crisis_sim.core.types import ActionType, Option

if TYPE_CHECKING:
    from crisis_sim.core.view import WorldView

REVIEW_MARGIN = 0.02
"""How much a policy family with no reckoning of its own prefers keeping a deal to reopening it at
the deal's review, in approval units: the 2 points by which a rule's pick is preferred
(``common.RULE_MARGIN`` of the policies). ASSUMPTION: a rule-based government does what it agreed."""


class PolicyParams(BaseModel):
    """Base of every policy's parameters: unknown names are errors, numbers are finite.

    A parameter that names something of the scenario — a measure or a
    government — is typed :data:`MeasureId` or :data:`ActorId` (alone, in a
    tuple or list, or as the keys or values of a mapping), so that a scenario
    naming one that does not exist is refused on loading like any other bad
    reference (:func:`param_references`, checked by ``crisis_sim.scenario``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


@dataclass(frozen=True)
class Ref:
    """Marks a policy parameter as naming a ``kind`` of thing in the scenario
    (used through :data:`MeasureId` and :data:`ActorId`)."""

    kind: Literal["measure", "actor"]


MeasureId = Annotated[str, Ref("measure")]
"""A policy parameter naming a measure of the scenario (a key of its ``measures``)."""

ActorId = Annotated[str, Ref("actor")]
"""A policy parameter naming a government of the scenario (a key of its ``actors``)."""


def param_references(params: type[PolicyParams], raw: Any) -> list[tuple[str, str, str]]:
    """The scenario names in raw policy parameters: (dotted path, kind, name) for every
    string given where ``params`` declares a :class:`Ref` (other values are left to
    the parameters' own validation)."""
    found: list[tuple[str, str, str]] = []
    if not isinstance(raw, dict):
        return found
    for name, field in params.model_fields.items():
        if name in raw:
            _collect_refs(field.annotation, list(field.metadata), raw[name], name, found)
    return list(dict.fromkeys(found))


def _collect_refs(annotation: Any, metadata: list[Any], value: Any, path: str,
                  found: list[tuple[str, str, str]]) -> None:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        _collect_refs(args[0], [*metadata, *args[1:]], value, path, found)
        return
    for mark in metadata:
        if isinstance(mark, Ref) and isinstance(value, str):
            found.append((path, mark.kind, value))
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            _collect_refs(arg, [], value, path, found)
    elif origin in (tuple, list, set, frozenset) and isinstance(value, (list, tuple)):
        fixed = origin is tuple and not (len(args) == 2 and args[1] is Ellipsis)
        for i, item in enumerate(value):
            inner = (args[i] if i < len(args) else None) if fixed else (args[0] if args else None)
            if inner is not None:
                _collect_refs(inner, [], item, f"{path}.{i}", found)
    elif origin is dict and isinstance(value, dict) and len(args) == 2:
        for key, item in value.items():
            _collect_refs(args[0], [], key, f"{path}.{key}", found)
            _collect_refs(args[1], [], item, f"{path}.{key}", found)


class Policy:
    """Base class: subclasses set ``name``, ``summary``, ``Params`` and ``options``."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    Params: ClassVar[type[PolicyParams]] = PolicyParams

    def __init__(self, params: PolicyParams | None = None):
        self.params = params if params is not None else self.Params()
        self.reset()

    def reset(self) -> None:
        """Forget everything remembered from earlier rounds (override if stateful)."""

    def options(self, view: WorldView) -> list[Option]:
        """Moves worth considering now, each with a utility and a reason.

        Every action in every option must be legal in ``view`` (``view.legal``).
        The list is never empty: waiting is always legal.
        """
        raise NotImplementedError

    def review(self, view: WorldView) -> list[Option]:
        """At a settlement's review date (``view.issue.review_due``), the sender's options: keep
        the deal (``keep_deal``) or reopen the crisis (``reopen``), each with a utility.

        A family with no reckoning of its own keeps its deals (ASSUMPTION: a rule-based
        government does what it agreed); the expected-utility and turn-the-screw families weigh
        them (docs/model.md §7.11).
        """
        other = view.counterpart()
        return [Option((view.act(ActionType.KEEP_DEAL, other),), REVIEW_MARGIN, "keep the deal, as agreed"),
                Option((view.act(ActionType.REOPEN, other),), 0.0, "reopen the crisis")]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


ENTRY_POINT_GROUP = "crisis_sim.policies"
"""The entry-point group through which packages offer policies (this one included)."""


class PolicyRegistry(Mapping[str, type[Policy]]):
    """Policies by name: every entry point of :data:`ENTRY_POINT_GROUP`, plus any
    class given to :func:`register` (a policy written in a script or a notebook).

    The built-in policies are entry points of this package too (see
    ``pyproject.toml``), so a policy from another package is found the same
    way, by every command. Entry points are read on first use, once a process.
    """

    def __init__(self) -> None:
        self._classes: dict[str, type[Policy]] = {}
        self._loaded = False

    def _load(self) -> dict[str, type[Policy]]:
        if not self._loaded:
            self._loaded = True
            for entry in entry_points(group=ENTRY_POINT_GROUP):
                if entry.name in self._classes:
                    continue  # registered in this process, or a second copy of a distribution
                cls = entry.load()
                if getattr(cls, "name", None) != entry.name:
                    raise ValueError(f"entry point {entry.name!r} ({entry.value}) loads a policy "
                                     f"named {getattr(cls, 'name', None)!r}")
                self._classes[entry.name] = cls
        return self._classes

    def add(self, cls: type[Policy]) -> None:
        classes = self._load()
        if not cls.name or classes.get(cls.name, cls) is not cls:
            raise ValueError(f"policy name {cls.name!r} missing or taken")
        classes[cls.name] = cls

    def __getitem__(self, name: str) -> type[Policy]:
        return self._load()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


REGISTRY = PolicyRegistry()


def policy_names() -> list[str]:
    return sorted(REGISTRY)


def policy_problems(name: Any, params: Any) -> list[str]:
    """Problems with a policy spec, as 'field: message' lines (empty when fine)."""
    if not isinstance(name, str):
        return []  # the schema reports the missing or mistyped name
    if name not in REGISTRY:
        return [f"name: unknown policy '{name}'; valid names: {', '.join(policy_names())}"]
    if not isinstance(params, dict):
        return []
    try:
        REGISTRY[name].Params.model_validate(params)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                valid = ", ".join(REGISTRY[name].Params.model_fields)
                msg = f"unknown parameter; valid parameters: {valid}" if valid \
                    else f"unknown parameter; {name} takes no parameters"
            got = "" if err["type"] in ("extra_forbidden", "missing") else f", got {err['input']!r}"
            lines.append(f"params.{where}: {msg}{got}")
        return lines
    return []


def make_policy(name: str, params: dict[str, Any] | None = None) -> Policy:
    """Build a registered policy from its name and raw parameters."""
    cls = REGISTRY[name]
    return cls(cls.Params.model_validate(params or {}))


# --------------------------------------------------------------------------
# describing a policy's parameters (crisis-sim list --policies, docs/policies.md)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamDoc:
    """One parameter of a policy, as a person writing a scenario needs to know it."""

    name: str
    type: str
    """The accepted values in words, as in docs/scenarios.md ("number", "true/false", ...)."""
    default: str
    """The default as YAML would spell it (``24.0``, ``null``, ``[]``), or ``required``."""
    meaning: str
    """The field's ``description`` (empty when the policy's author gave none)."""


_TYPE_WORDS = {float: "number", int: "integer", bool: "true/false", str: "text"}
_BOUND_WORDS = ((annotated_types.Ge, "≥", "ge"), (annotated_types.Gt, ">", "gt"),
                (annotated_types.Le, "≤", "le"), (annotated_types.Lt, "<", "lt"))


def _type_text(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """An annotation in words: ``tuple[str, ...] | None`` -> ``list of text, or `null```."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_text(args[0], [*metadata, *args[1:]])
    refs = [m.kind for m in metadata if isinstance(m, Ref)]
    if refs:
        return f"{refs[0]} id"
    if origin in (typing.Union, types.UnionType):
        kinds = [_type_text(a) for a in args if a is not type(None)]
        text = " or ".join(kinds)
        return f"{text}, or `null`" if type(None) in args else text
    if origin is typing.Literal:
        return " or ".join(f"`{json.dumps(a)}`" for a in args)
    if origin in (tuple, list, set, frozenset):
        inner = [a for a in args if a is not Ellipsis]
        if not inner:
            return "list"
        text = _type_text(inner[0])
        return f"list of {text}s" if text.endswith(" id") else f"list of {text}"
    if origin is dict:
        return "mapping"
    text = _TYPE_WORDS.get(annotation, getattr(annotation, "__name__", str(annotation)))
    bounds = [f"{sign} {getattr(m, attr)}" for m in metadata for cls, sign, attr in _BOUND_WORDS
              if isinstance(m, cls)]
    return f"{text} {' and '.join(bounds)}" if bounds else text


def describe_params(params: type[PolicyParams]) -> list[ParamDoc]:
    """Every field of a policy's ``Params`` model: name, type in words, default, meaning."""
    docs = []
    for name, field in params.model_fields.items():
        if field.is_required():
            default = "required"
        elif field.default is PydanticUndefined:  # a default_factory
            default = json.dumps(to_jsonable_python(field.get_default(call_default_factory=True)))
        else:
            default = json.dumps(to_jsonable_python(field.default))
        meaning = " ".join((field.description or "").split())
        docs.append(ParamDoc(name, _type_text(field.annotation, field.metadata), default, meaning))
    return docs


@dataclass(frozen=True)
class PolicyDoc:
    """A registered policy: its name, one-line summary and parameters."""

    name: str
    summary: str
    params: list[ParamDoc]


def describe_policies(names: list[str] | None = None) -> list[PolicyDoc]:
    """Registered policies (all of them, by name, unless ``names`` picks some), each with
    its summary and parameters."""
    return [PolicyDoc(name, REGISTRY[name].summary, describe_params(REGISTRY[name].Params))
            for name in (policy_names() if names is None else names)]
