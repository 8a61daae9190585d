"""The policy interface and the registry of policies by name.

A policy is how a government decides, in the manner of Axelrod's strategies:
one class, a registered name, a one-line summary, a typed set of parameters,
and one method. Here the method returns *options* (moves with utilities and
reasons) rather than a single move; the government then chooses among them
with logit noise (see :func:`crisis_sim.dynamics.logit_choice`), so a rule-based
policy that scores one option 1 and the rest 0 trembles now and then, while an
expected-utility policy errs more when its options are close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:
    from crisis_sim.actions import Option
    from crisis_sim.view import WorldView


class PolicyParams(BaseModel):
    """Base of every policy's parameters: unknown names are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator: make a policy available by its ``name``."""
    if not cls.name or cls.name in REGISTRY:
        raise ValueError(f"policy name {cls.name!r} missing or taken")
    REGISTRY[cls.name] = cls
    return cls


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
            msg = "unknown parameter" if err["type"] == "extra_forbidden" else err["msg"]
            got = "" if err["type"] in ("extra_forbidden", "missing") else f", got {err['input']!r}"
            lines.append(f"params.{where}: {msg}{got}")
        return lines
    return []


def make_policy(name: str, params: dict[str, Any] | None = None) -> Policy:
    """Build a registered policy from its name and raw parameters."""
    cls = REGISTRY[name]
    return cls(cls.Params.model_validate(params or {}))
