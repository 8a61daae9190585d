"""Policy parameters are documented from the code: field descriptions, ``crisis-sim list
--policies`` and docs/policies.md all come from :func:`crisis_sim.core.policy.describe_policies`."""

from __future__ import annotations

from typer.testing import CliRunner

from conftest import load_script
from crisis_sim.cli import app
from crisis_sim.core.policy import REGISTRY, PolicyParams, describe_params, describe_policies

runner = CliRunner()




def test_every_builtin_parameter_has_a_description() -> None:
    for name, cls in REGISTRY.items():
        if not cls.__module__.startswith("crisis_sim."):
            continue
        for field_name, field in cls.Params.model_fields.items():
            assert field.description and field.description.strip(), f"{name}.{field_name}"


def test_describe_params_gives_type_default_and_meaning() -> None:
    (deadline,) = [p for p in describe_params(REGISTRY["turn_the_screw"].Params)
                   if p.name == "deadline_hours"]
    assert (deadline.type, deadline.default) == ("number > 0", "24.0")
    assert "announcement" in deadline.meaning
    threaten = next(p for p in describe_params(REGISTRY["turn_the_screw"].Params) if p.name == "threaten")
    assert (threaten.type, threaten.default) == ("list of measure ids, or `null`", "null")
    assert describe_params(REGISTRY["hardliner"].Params) == []


def test_describe_params_of_a_plugin_model_with_bounds_and_no_descriptions() -> None:
    from pydantic import Field

    class Params(PolicyParams):
        level: float = Field(ge=0, le=1)
        flags: list[str] = Field(default_factory=list)
        mode: bool = False

    docs = {p.name: p for p in describe_params(Params)}
    assert (docs["level"].type, docs["level"].default) == ("number ≥ 0 and ≤ 1", "required")
    assert (docs["flags"].type, docs["flags"].default) == ("list of text", "[]")
    assert (docs["mode"].type, docs["mode"].default, docs["mode"].meaning) == ("true/false", "false", "")


def test_list_policies_prints_every_policy_with_its_parameters() -> None:
    result = runner.invoke(app, ["list", "--policies"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for policy in describe_policies():
        assert policy.name in lines
        assert f"  {policy.summary}" in lines
        for param in policy.params:
            assert f"  {param.name}: {param.type}, default {param.default}" in lines
            assert param.meaning.split()[0] in result.stdout
    assert "Scenarios" not in result.stdout


def test_docs_policies_md_matches_the_code() -> None:
    writer = load_script("write_policy_docs")
    expected = writer.render()
    actual = writer.DOC.read_text(encoding="utf-8")
    assert actual == expected, "docs/policies.md is out of date: run python scripts/write_policy_docs.py"
    for name, cls in REGISTRY.items():
        if cls.__module__.startswith("crisis_sim."):
            assert f"\n## {name}\n" in actual
