"""Regenerate the worked example of docs/sensitivity.md from the model.

The page's two studies — Morris screening of every assumption of
``us_colombia_2025`` and a Sobol' decomposition of the firm what-if — are run
with the commands the page shows (:data:`STUDIES`), and what they printed and
the figures the text reads are written between ``<!-- sensitivity:NAME -->``
and ``<!-- /sensitivity -->`` markers; the raw figures are kept in
``tests/data/sensitivity_example.json`` and the two charts the page shows are
copied to ``docs/img/``. ``tests/test_sensitivity_doc.py`` checks that the page
shows exactly what that file renders and that the file was made from the
scenarios and assumptions as they are now::

    .venv/bin/python scripts/write_sensitivity_example.py           # run both (about 5 min on 2 CPUs)
    .venv/bin/python scripts/write_sensitivity_example.py --check   # exit 1 if the page is stale
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from crisis_sim.analysis.markdown import markdown_table

PROJECT = Path(__file__).resolve().parents[1]
DOC = PROJECT / "docs" / "sensitivity.md"
FIGURES = PROJECT / "tests" / "data" / "sensitivity_example.json"
IMG = PROJECT / "docs" / "img"

STUDIES: dict[str, dict[str, Any]] = {
    "morris": {
        "scenario": "us_colombia_2025",
        "args": ["--method", "morris", "--assumptions", "--samples", "10", "--replicates", "10"],
        "out": "runs/sens",
        "figure": ("decided_at_hours_median.png", "sensitivity-morris-decided-median.png"),
        "outputs": ["share_target_concedes", "decided_at_hours_median"],
    },
    "sobol": {
        "scenario": "us_colombia_2025_firm",
        "args": ["--method", "sobol",
                 "--param", "actors.colombia.resolve.mean=0.6:1.0",
                 "--param", "actors.colombia.audience_cost=0.5:1.0",
                 "--param", "trade.0.usd_bn=7:15", "--param", "dynamics.pain_weight=7:13",
                 "--samples", "256", "--replicates", "4"],
        "out": "runs/sobol",
        "figure": ("share_target_concedes.png", "sensitivity-sobol-target-concedes.png"),
        "outputs": ["share_target_concedes", "decided_at_hours_median"],
    },
}
TABLE_ROWS = 8
"""Largest indices shown per output (the dummy, the noise floor, always)."""
BLOCK = re.compile(r"(<!-- sensitivity:(\w+) -->\n)(.*?)(<!-- /sensitivity -->)", re.DOTALL)


def command(name: str) -> list[str]:
    study = STUDIES[name]
    return ["crisis-sim", "sensitivity", study["scenario"], *study["args"], "--out", study["out"]]


def run_study(name: str, workers: int | None) -> dict[str, Any]:
    """Run one study in a temporary folder and read back the figures the page quotes."""
    from typer.testing import CliRunner

    from crisis_sim.cli import app

    study = STUDIES[name]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "study"
        argv = [*command(name)[1:-2], "--out", str(out), "--seed", "0"]
        if workers is not None:
            argv += ["--workers", str(workers)]
        began = time.perf_counter()
        result = CliRunner().invoke(app, argv)
        seconds = time.perf_counter() - began
        if result.exit_code != 0:
            raise SystemExit(f"{name}: exit {result.exit_code}: {result.output}")
        printed = result.stdout.replace(str(out), study["out"]).strip()
        return figures_from_folder(name, out, printed, seconds)


def figures_from_folder(name: str, out: Path, printed: str, seconds: float) -> dict[str, Any]:
    """The figures the page quotes, read from a finished study folder; copies its chart to docs/img."""
    from crisis_sim.scenario import load_scenario

    study = STUDIES[name]
    folder = out / "sensitivity"
    indices = pd.read_parquet(folder / "indices.parquet")
    outputs = pd.read_parquet(folder / "outputs.parquet")
    noise = pd.read_csv(folder / "noise.csv")
    runs = pd.read_parquet(out / "runs", columns=["outcome"])
    shutil.copyfile(folder / study["figure"][0], IMG / study["figure"][1])
    shares = runs["outcome"].astype(str).value_counts(normalize=True)
    return {
        "command": command(name),
        "scenario_hash": load_scenario(study["scenario"]).content_hash(),
        "parameters": [c for c in outputs.columns if c != "point_id" and c not in _output_columns(outputs)],
        "points": len(outputs),
        "runs": len(runs),
        "seconds": round(seconds),
        "printed": printed,
        "outcome_shares": {str(k): float(v) for k, v in sorted(shares.items())},
        "indices": json.loads(indices[indices["output"].isin(study["outputs"])].to_json(orient="records")),
        "noise": json.loads(noise.to_json(orient="records")),
        "point_medians": _spread(outputs.get("decided_at_hours_median")),
    }


def _output_columns(outputs: pd.DataFrame) -> set[str]:
    prefixes = ("share_", "decided_at_hours_", "cost_", "approval_")
    return {c for c in outputs.columns if c.startswith(prefixes)}


def _spread(column: pd.Series | None) -> dict[str, float] | None:
    if column is None or column.isna().all():
        return None
    return {"min": float(column.min()), "median": float(column.median()), "max": float(column.max())}


# ------------------------------------------------------------------ rendering


def _num(value: float) -> str:
    return f"{value:.3g}"


def _with_interval(row: dict[str, Any], name: str) -> str:
    return f"{_num(row[name])} [{_num(row[name + '_lo'])}, {_num(row[name + '_hi'])}]"


def _index_table(figures: dict[str, Any], output: str, index: str, second: str | None) -> list[str]:
    ranked = sorted((r for r in figures["indices"] if r["output"] == output), key=lambda r: -r[index])
    rows = [r for i, r in enumerate(ranked) if i < TABLE_ROWS or r["parameter"] == "dummy"]
    header = ["parameter", f"{index} [95% CI]", *([f"{second} [95% CI]"] if second else [])]
    lines = markdown_table(header, [[f"`{r['parameter']}`", _with_interval(r, index),
                                     *([_with_interval(r, second)] if second else [])] for r in rows])
    if len(ranked) > len(rows):
        lines += ["", f"({len(ranked) - len(rows)} more parameters with smaller indices.)"]
    return lines


def render(name: str, figures: dict[str, Any]) -> str:
    """The block the page shows for one study: the command and what it printed, the share of
    each outcome across the box, the time the command took, and the index table of each output
    the text reads (largest first, the dummy among them as the noise floor)."""
    argv = figures["command"]
    shown = " ".join(shlex.quote(a) for a in argv)
    if len(shown) > 100:  # break long commands before each --param, as typed at a prompt
        shown = shown.replace(" --param", " \\\n    --param").replace(" --samples", " \\\n    --samples")
    shares = ", ".join(f"{k.replace('_', ' ')} {100 * v:.1f}%" for k, v in figures["outcome_shares"].items())
    worst = max((r for r in figures["noise"] if r.get("noise_share_of_means") is not None),
                key=lambda r: r["noise_share_of_means"], default=None)
    lines = ["```", f"$ {shown}", figures["printed"], "```", "",
             f"{figures['points']:,} design points, {figures['runs']:,} runs, {figures['seconds']} s for the "
             f"whole command. Across the box: {shares}."]
    if worst is not None:
        lines.append(f"The seed's share of the variance of a point's average is largest for "
                     f"`{worst['output']}`: {100 * worst['noise_share_of_means']:.0f}%.")
    spread = figures.get("point_medians")
    if spread:
        lines.append(f"The points' median decision times run from {spread['min']:.1f} h to "
                     f"{spread['max']:.1f} h (median {spread['median']:.1f} h).")
    method = STUDIES[name]["args"][STUDIES[name]["args"].index("--method") + 1]
    index, second = ("mu_star", "sigma") if method == "morris" else ("ST", "S1")
    for output in STUDIES[name]["outputs"]:
        if any(r["output"] == output for r in figures["indices"]):
            lines += ["", f"`{output}`:", "", *_index_table(figures, output, index, second)]
        else:
            lines += ["", f"`{output}`: the same at every design point, so it has no indices."]
    said = reading(name, figures)
    if said:
        lines += ["", " ".join(said)]
    return "\n".join(lines) + "\n"


def reading(name: str, figures: dict[str, Any]) -> list[str]:
    """What the tables say, in sentences built from the figures (so the prose cannot drift from
    them): for each output, the largest index with its interval, the dummy's, and which parameters
    clear the noise floor by the report's rule (the dummy's upper bound or a fixed floor, a tenth
    of the largest mu* or an ST of 0.05, whichever is larger); for Sobol', a
    warning when a total index or the sum of first-order indices leaves [0, 1] beyond its interval."""
    method = STUDIES[name]["args"][STUDIES[name]["args"].index("--method") + 1]
    index = "mu_star" if method == "morris" else "ST"
    out = []
    for output in STUDIES[name]["outputs"]:
        rows = [r for r in figures["indices"] if r["output"] == output]
        if not rows:
            continue
        dummy = next((r for r in rows if r["parameter"] == "dummy"), None)
        real = sorted((r for r in rows if r["parameter"] != "dummy"), key=lambda r: -r[index])
        top = real[0]
        unit = " h" if method == "morris" and output.startswith("decided_at_hours") else ""
        sentence = (f"For `{output}` the largest {index} is `{top['parameter']}`'s, "
                    f"{_with_interval(top, index)}{unit}")
        # the report's own rule (crisis_sim.experiments.sensitivity.indices.verdicts): the dummy's
        # upper bound or a fixed floor, whichever is larger
        fixed = 0.1 * top[index] if method == "morris" else 0.05
        floor = max(fixed, dummy[index + "_hi"]) if dummy is not None else fixed
        clear = [r["parameter"] for r in real if r[index + "_lo"] > floor]
        if dummy is not None:
            sentence += f"; the dummy's is {_with_interval(dummy, index)}{unit}"
        sentence += (f"; a parameter matters here when its lower bound clears {_num(floor)}{unit}: "
                     + (", ".join(f"`{p}`" for p in clear) if clear else "none does") + ".")
        out.append(sentence)
        if method == "sobol":
            past_one = [r["parameter"] for r in real if r["ST_lo"] > 1]
            first_sum = sum(r["S1"] for r in real)
            if past_one:
                out.append(f"Warning: the total index of {', '.join(past_one)} exceeds 1 beyond its "
                           "interval: the estimate needs more samples.")
            if first_sum > 1.05:
                out.append(f"Warning: the first-order indices of `{output}` sum to {first_sum:.2f}, more "
                           "than 1: the estimates are noisy at this sample size.")
    return out


def page_with(all_figures: dict[str, Any], text: str) -> str:
    names = [m.group(2) for m in BLOCK.finditer(text)]
    if sorted(names) != sorted(STUDIES):
        raise SystemExit(f"{DOC}: expected one sensitivity block each for {sorted(STUDIES)}, found {names}")
    return BLOCK.sub(lambda m: m.group(1) + render(m.group(2), all_figures[m.group(2)]) + m.group(4), text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--only", choices=sorted(STUDIES), help="rerun one study, keep the other's figures")
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    parser.add_argument("--render", action="store_true", help="rewrite the page from the stored figures")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    if args.check:
        return 0 if page_with(json.loads(FIGURES.read_text(encoding="utf-8")), text) == text else 1
    if args.render:
        DOC.write_text(page_with(json.loads(FIGURES.read_text(encoding="utf-8")), text), encoding="utf-8")
        return 0
    figures = json.loads(FIGURES.read_text(encoding="utf-8")) if FIGURES.is_file() else {}
    for name in ([args.only] if args.only else list(STUDIES)):
        print(f"running {name} ...", flush=True)
        figures[name] = run_study(name, args.workers)
    FIGURES.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    DOC.write_text(page_with(figures, text), encoding="utf-8")
    for name in STUDIES:
        print(render(name, figures[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
