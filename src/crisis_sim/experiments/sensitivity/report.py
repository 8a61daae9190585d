"""A sensitivity study in words: the Markdown report and the terminal summary. No I/O.

The report names the parameters that matter (for at least one output, the
lower 95% bound of their index clears the noise floor: the dummy's upper
bound, or a fixed share; :func:`crisis_sim.experiments.sensitivity.indices.verdicts`)
and those that do not, says how much of each output's variance is the
model's own noise (from the replicates), and tabulates the leading indices
of every output beside links to the figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from crisis_sim.analysis.markdown import markdown_table
from crisis_sim.batch.design import DUMMY
from crisis_sim.experiments.sensitivity.indices import INDEX_OF, SensitivityResult

TOP = 10
"""Parameters shown per output in the report's tables (all are in indices.csv)."""
METHOD_TEXT = {
    "morris": (
        "Morris elementary effects (Morris 1991), {samples} trajectories on a {levels}-level grid "
        "(Campolongo et al. 2007). mu* is the mean absolute change of the output when a parameter "
        "moves across its grid step, scaled to its whole range; sigma the spread of those changes "
        "(large: interactions or non-linearity). Intervals: 95% percentile bootstrap over trajectories."
    ),
    "sobol": (
        "Sobol' indices from Saltelli's sampling (Saltelli 2002; Saltelli et al. 2010), base sample "
        "N = {samples}. S1: the share of the output's variance a parameter explains alone; ST: its share "
        "with all its interactions (Jansen's estimator). Intervals: 95%, from SALib's bootstrap."
    ),
    "lhs": (
        "A Latin hypercube of {samples} points (McKay et al. 1979), summarised by Spearman's rank "
        "correlation of each parameter with each output. Intervals: 95% percentile bootstrap."
    ),
}
INDEX_LABEL = {"morris": "mu*", "sobol": "ST", "lhs": "Spearman rho"}


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}g}"


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.0f}%"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return markdown_table(header, rows)


def mattering_lines(result: SensitivityResult) -> list[str]:
    """One line per parameter that matters: the outputs it matters for, largest index first."""
    lines = []
    verdicts = result.verdicts
    label = INDEX_LABEL[result.design.method]
    for parameter in result.mattering():
        found = verdicts[(verdicts["parameter"] == parameter) & verdicts["matters"]]
        found = found.reindex(found["index"].abs().sort_values(ascending=False).index)
        parts = [
            f"{row.output} {label} {_fmt(row.index)} [{_fmt(row.lo)}, {_fmt(row.hi)}]"
            for row in found.head(4).itertuples()
        ]
        more = f" and {len(found) - 4} more" if len(found) > 4 else ""
        lines.append(f"`{parameter}`: " + "; ".join(parts) + more)
    return lines


def noise_rows(result: SensitivityResult) -> list[list[str]]:
    noise: Iterable[Any] = result.noise.itertuples()  # each field holds its column's value
    return [
        [str(row.output), _pct(row.noise_share), _pct(row.noise_share_of_means)]
        for row in noise
        if row.total_var > 0  # a figure the same in every run has no variance to share out
    ]


def render_report(
    result: SensitivityResult,
    *,
    scenario: str,
    replicates: int,
    seed: int,
    skipped: Sequence[Mapping[str, str]] = (),
    figures: Mapping[str, str] | None = None,
    command: Sequence[str] = (),
) -> str:
    """The Markdown report of a study (``figures``: output name → PNG file name beside the report)."""
    design = result.design
    method = design.method
    lines = [f"# Sensitivity of {scenario}: {method}", ""]
    n_points = design.n_points
    lines += [
        f"{n_points} design points × {replicates} replicates = {n_points * replicates} runs, "
        f"root seed {seed}.",
        METHOD_TEXT[method].format(samples=design.samples, levels=design.levels),
        "",
    ]
    if command:
        lines += ["```", " ".join(command), "```", ""]
    lines += ["## Parameters", "", "Each varied uniformly over its range; an integer field takes the nearest "
              "whole number of each sampled value."
              + (" The `dummy` parameter is read by nothing: its index is the noise floor." if design.dummy
                 else ""), ""]
    lines += _table(["parameter", "low", "high"],
                    [[f"`{p.path}`", _fmt(p.lo, 6), _fmt(p.hi, 6)] for p in design.parameters])
    if skipped:
        lines += ["", "Assumptions left out:", ""]
        lines += [f"- `{s['path']}`: {s['reason']}" for s in skipped]
    lines += ["", "## What matters", ""]
    key = INDEX_OF[method]
    floor_text = (
        "the dummy's upper bound or " if design.dummy else ""
    ) + {"sobol": "ST = 0.05", "morris": "a tenth of the output's largest mu*", "lhs": "|rho| = 0.1"}[method]
    lines += [f"A parameter matters for an output when the lower 95% bound of its {INDEX_LABEL[method]} "
              f"clears the noise floor ({floor_text}, whichever is larger).", ""]
    matter = mattering_lines(result)
    lines += ["**Parameters that matter**, the largest effect first:", ""]
    lines += [f"- {line}" for line in matter] or ["- none at this sample size"]
    lines += ["", "**Parameters that do not matter** (for no output does their index clear the floor; "
              "more samples could still reveal a small effect):", ""]
    quiet = result.not_mattering()
    lines += [", ".join(f"`{p}`" for p in quiet) if quiet else "none"]
    if result.constant:
        lines += ["", "Outputs that were the same at every design point (no indices): "
                  + ", ".join(f"`{c}`" for c in result.constant) + "."]
    lines += ["", "## The model's own noise", ""]
    if replicates > 1:
        lines += [
            f"From the {replicates} replicates of each point (law of total variance): the share of each "
            "run-level figure's variance that lies within points (the seed's, not the parameters'), and "
            "the share of the variance of the point averages the analysis used that is still noise "
            f"(within-point variance / {replicates} over the variance of the averages). A large second "
            "share means the indices measure noise: run more replicates.",
            "",
        ]
        header = ["run-level figure", "noise share of run-to-run variance", "noise share of point averages"]
        lines += _table(header, noise_rows(result))
    else:
        lines += ["One run per point: the model's noise cannot be told from the parameters' effects "
                  "(use --replicates 2 or more)."
                  + (" The dummy's index still bounds it." if design.dummy else "")]
    lines += ["", "## Indices", ""]
    lines += [f"The {TOP} largest per output (and the dummy); every row is in `indices.csv`.", ""]
    columns = {
        "morris": [("mu_star", "mu*"), ("sigma", "sigma"), ("mu", "mu")],
        "sobol": [("ST", "ST"), ("S1", "S1")],
        "lhs": [("rho", "rho")],
    }[method]
    output: Any  # an output's name, as the indices' column holds it
    for output, group in result.indices.groupby("output", sort=False):
        order = group.assign(_size=group[key].abs()).sort_values("_size", ascending=False)
        top = order[order["parameter"] != DUMMY].head(TOP)
        shown: list[Any]  # rows: each field holds its column's value
        if design.dummy:
            shown = [*top.itertuples(), *order[order["parameter"] == DUMMY].itertuples()]
        else:
            shown = list(top.itertuples())
        rows = []
        for row in shown:
            cells = [f"`{row.parameter}`"]
            for name, _ in columns:
                value = getattr(row, name)
                lo, hi = getattr(row, f"{name}_lo", None), getattr(row, f"{name}_hi", None)
                cells.append(_fmt(value) + (f" [{_fmt(lo)}, {_fmt(hi)}]" if lo is not None else ""))
            rows.append(cells)
        lines += [f"### {output}", ""]
        if figures and output in figures:
            lines += [f"![{output}]({figures[output]})", ""]
        lines += _table(["parameter", *(label for _, label in columns)], rows)
        lines += [""]
    return "\n".join(lines).rstrip() + "\n"


def _listed(names: Sequence[str], most: int = 6) -> str:
    """Names joined by commas, at most ``most`` of them, then how many more."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def summary_text(result: SensitivityResult, folder: str) -> str:
    """A few lines for the terminal: what matters, what does not, where the report is."""
    lines = [
        f"{result.design.method}: {len(result.matrix)} design points; "
        f"report in {folder}/sensitivity/report.md"
    ]
    matter = result.mattering()
    lines.append("matters: " + (_listed(matter) if matter else "nothing above the noise floor"))
    quiet = result.not_mattering()
    lines.append("does not matter: " + (_listed(quiet) if quiet else "none"))
    if len(result.noise) and result.noise["noise_share"].notna().any():
        worst = result.noise.sort_values("noise_share_of_means", ascending=False).iloc[0]
        lines.append(
            f"noise: up to {_pct(worst['noise_share_of_means'])} of a point average's variance "
            f"({worst['output']}) is the seed's"
        )
    return "\n".join(lines)
