"""Write docs/gallery.md and its figures, docs/img/gallery/*.png: every figure the program draws.

The figures are drawn from real outputs, the same way the commands draw them:
one run of the bundled US–Colombia scenario (``crisis-sim run``), a batch
sweeping Colombia's resolve and policy (``crisis-sim plot`` on a batch
folder), and the bundled scenario compared with its firm what-if
(``crisis-sim compare``). The PNGs are small (dpi 80); the page is written
from :data:`FIGURES`, so the page and the files cannot drift apart.

    python scripts/write_gallery.py           # regenerate the page and the PNGs (about a minute)
    python scripts/write_gallery.py --page    # rewrite only docs/gallery.md

``tests/test_gallery.py`` checks that every figure function of
``crisis_sim.present.plots`` is in :data:`FIGURES` and that the page, this
list and the PNG files agree (without redrawing anything).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "gallery.md"
IMAGES = ROOT / "docs" / "img" / "gallery"
DPI = 80

SWEEP = ["actors.colombia.resolve.mean=0.2,0.8", "actors.colombia.policy.name=dignity_first,appeaser"]
SWEEP_RUNS = 20
COMPARE_RUNS = 40
SEED = 1


@dataclass(frozen=True)
class GalleryFigure:
    png: str
    """File name under docs/img/gallery/."""
    source: str
    """Which output it is drawn from: ``run``, ``sweep`` or ``compare``."""
    written_as: str
    """The file name the program writes it under."""
    functions: tuple[str, ...]
    """The functions of crisis_sim.present.plots that draw it."""
    caption: str


FIGURES = (
    GalleryFigure("run_escalation.png", "run", "escalation.png", ("save_run_plots", "plot_escalation"),
                  "The escalation ladder with its named rungs over time, and one lane per measure "
                  "(threatened, suspended, imposed with its rate). Dashed lines: when the crisis was "
                  "decided and when the first flight landed."),
    GalleryFigure("run_costs_approval.png", "run", "costs_approval.png",
                  ("plot_costs_approval", "plot_costs", "plot_approval"),
                  "Cumulative economic cost (USD bn, the unit of every figure, table and summary) and "
                  "domestic approval (%) per government. The dashboard draws the two panels "
                  "separately (`plot_costs`, `plot_approval`)."),
    GalleryFigure("sweep_outcome_shares.png", "sweep", "outcome_shares.png",
                  ("save_group_plots", "plot_outcome_shares"),
                  "Outcome shares per sweep point with 95% Wilson intervals. Points with identical "
                  "results share one bar, and the legend says which."),
    GalleryFigure("sweep_fan_escalation.png", "sweep", "fan_escalation.png", ("plot_fan_chart",),
                  "The escalation rung per round: median and 10–90% band over the runs of each point. "
                  "Groups are labelled by the values that differ; a group whose runs were all over "
                  "early ends in a dot."),
    GalleryFigure("sweep_fan_cost.png", "sweep", "fan_cost.png", ("plot_fan_chart",),
                  "Cumulative cost per government, one panel each, in one unit for all panels."),
    GalleryFigure("sweep_fan_approval.png", "sweep", "fan_approval.png", ("plot_fan_chart",),
                  "Domestic approval per government, in percent."),
    GalleryFigure("compare_outcome_shares.png", "compare", "outcome_shares.png",
                  ("save_group_plots", "plot_outcome_shares"),
                  "The bundled scenario (base) against its what-if of a firmer Colombia (firm)."),
    GalleryFigure("compare_fan_escalation.png", "compare", "fan_escalation.png", ("plot_fan_chart",),
                  "Escalation of the two batches: the base runs are all over within four days "
                  "(the dot); the firm ones' median is back to calm within a week, while the band "
                  "shows the runs that end in a trade war and run the whole month."),
    GalleryFigure("compare_fan_cost.png", "compare", "fan_cost.png", ("plot_fan_chart",),
                  "Cumulative cost of the two batches."),
    GalleryFigure("compare_fan_approval.png", "compare", "fan_approval.png", ("plot_fan_chart",),
                  "Domestic approval of the two batches."),
)
"""Every figure of the gallery, in the order of the page."""

SECTIONS = {
    "run": ("One run", f"`crisis-sim run --seed {SEED}` (or `crisis-sim plot RUN_FOLDER`) writes these "
            "two figures into the run folder."),
    "sweep": ("A batch over a sweep", f"`crisis-sim batch -n {SWEEP_RUNS} --seed {SEED} "
              + " ".join(f"--sweep {s}" for s in SWEEP)
              + "`, then `crisis-sim plot BATCH_FOLDER`."),
    "compare": ("A comparison", f"`crisis-sim batch -n {COMPARE_RUNS} --seed {SEED}` of `us_colombia_2025` "
                "and of `us_colombia_2025_firm`, then `crisis-sim compare BASE FIRM`."),
}


def markdown() -> str:
    """The text of docs/gallery.md."""
    lines = [
        "# Gallery",
        "",
        "<!-- Generated by scripts/write_gallery.py: do not edit by hand. -->",
        "",
        "Every figure the program draws, from real outputs of the bundled scenarios. "
        "Regenerate the page and the images with `python scripts/write_gallery.py`.",
        "",
        "Conventions of every figure: time in simulated hours from the start, days on the top axis; "
        "escalation on the named rungs of the ladder (0 calm, 1 dispute, 2 threats, 3 coercion, "
        "4 mutual coercion, 5 escalation); costs in USD bn, as in the tables and the terminal "
        "(the axis says so); approval in percent.",
    ]
    for source, (heading, how) in SECTIONS.items():
        lines += ["", f"## {heading}", "", how]
        for figure in (f for f in FIGURES if f.source == source):
            functions = ", ".join(f"`{name}`" for name in figure.functions)
            lines += [
                "",
                f"### `{figure.written_as}`",
                "",
                f"![{figure.written_as}](img/gallery/{figure.png})",
                "",
                f"{figure.caption} Drawn by {functions}.",
            ]
    return "\n".join(lines) + "\n"


def figures(scratch: Path) -> dict[str, Figure]:
    """Every figure of the gallery, unsaved, by ``source/written_as`` (runs' folders in ``scratch``)."""
    from crisis_sim.batch import run_batch
    from crisis_sim.experiments.compare.comparison import compare, fan_charts, outcome_shares, point_groups
    from crisis_sim.present.plots import group_figures, run_figures
    from crisis_sim.runs import run_scenario
    from crisis_sim.scenario import load_scenario

    drawn: dict[str, Figure] = {}
    for figure, name in run_figures(run_scenario(load_scenario("us_colombia_2025"), SEED)):
        drawn[f"run/{name}"] = figure

    batch = run_batch("us_colombia_2025", SWEEP_RUNS, seed=SEED, sweep=SWEEP, workers=2,
                      out=scratch / "sweep", progress=False)
    groups = point_groups(batch)
    names = {k: v for g in groups for k, v in g.names.items()}
    for figure, name in group_figures(outcome_shares(groups), fan_charts(groups), names=names,
                                      groups=[g.label for g in groups], title="us_colombia_2025",
                                      modes=fan_charts(groups, by_outcome=True)):
        drawn[f"sweep/{name}"] = figure

    batches = [
        run_batch(name, COMPARE_RUNS, seed=SEED, workers=2, out=scratch / label, progress=False)
        for name, label in (("us_colombia_2025", "base"), ("us_colombia_2025_firm", "firm"))
    ]
    comparison = compare(*batches, labels=["base", "firm"], n_boot=200)
    for figure, name in group_figures(comparison.shares, comparison.fans, names=comparison.actor_names,
                                      groups=comparison.labels, modes=comparison.modes):
        drawn[f"compare/{name}"] = figure
    return drawn


def draw(out: Path) -> list[Path]:
    """Draw every figure of :data:`FIGURES` into ``out``; return the files written."""
    with tempfile.TemporaryDirectory() as tmp:
        drawn = figures(Path(tmp))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for figure in FIGURES:
        target = out / figure.png
        drawn[f"{figure.source}/{figure.written_as}"].savefig(target, dpi=DPI, metadata={"Software": None})
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="store_true", help="rewrite only docs/gallery.md")
    args = parser.parse_args(argv)
    if not args.page:
        written = draw(IMAGES)
        size = sum(p.stat().st_size for p in written)
        print(f"{len(written)} figures, {size // 1024} KB, in {IMAGES.relative_to(ROOT)}")
    PAGE.write_text(markdown(), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
