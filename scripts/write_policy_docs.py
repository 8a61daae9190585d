"""Write docs/policies.md, the reference of the built-in policies, from their code.

Each policy's summary and the type, default and meaning of each of its
parameters come from :func:`crisis_sim.core.policy.describe_policies`, the
same function behind ``crisis-sim list --policies``; the meanings are the
``description`` of the fields of each policy's ``Params`` model. Only the
policies of this package are written (not plugins installed alongside).

    python scripts/write_policy_docs.py           # rewrite docs/policies.md
    python scripts/write_policy_docs.py --check   # exit 1 if docs/policies.md is out of date

``tests/test_policy_docs.py`` fails when the page and the code disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "policies.md"

HEADER = """\
# Policies

<!-- Generated from the code by scripts/write_policy_docs.py: do not edit by hand. -->

A government's decision policy is set in a scenario file under
`actors.<id>.policy`: `name` picks one of the policies below and `params`
sets its parameters (an omitted parameter takes its default; an unknown one
is an error that lists the valid ones). See [scenarios.md](scenarios.md#policyspec).
`crisis-sim list --policies` prints the same reference, together with any
policy another installed package offers through the `crisis_sim.policies`
entry-point group.

Terms are fractions of the way from the receiver's position (0) to the
sender's (1); approval is a fraction (0.01 = one point).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    """The text of docs/policies.md for the policies of this package."""
    from crisis_sim.core.policy import REGISTRY, describe_policies, policy_names

    builtin = [name for name in policy_names() if REGISTRY[name].__module__.startswith("crisis_sim.")]
    parts = [HEADER]
    for policy in describe_policies(builtin):
        parts.append(f"\n## {policy.name}\n\n{policy.summary[:1].upper()}{policy.summary[1:]}.\n")
        if not policy.params:
            parts.append("\nNo parameters.\n")
            continue
        rows = ["| parameter | type | default | meaning |", "|---|---|---|---|"]
        rows += [f"| `{p.name}` | {_cell(p.type)} | `{p.default}` | {_cell(p.meaning)} |"
                 for p in policy.params]
        parts.append("\n" + "\n".join(rows) + "\n")
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is out of date: run python scripts/write_policy_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
