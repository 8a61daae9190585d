"""A sensitivity study: a batch with a sampled design, analysed, and its report written beside it.

:func:`run_sensitivity` is what ``crisis-sim sensitivity`` calls. The study's
folder is a batch folder (``docs/batch-format.md``: manifest with the design,
runs and trajectories as Parquet chunks, resumable after any interruption,
the same bytes on any engine) with one more folder, ``sensitivity/``,
written when the batch is complete (``docs/sensitivity.md``)::

    sensitivity/report.md            what matters, what does not, the model's noise
    sensitivity/indices.{parquet,csv}   one row per output and parameter
    sensitivity/outputs.{parquet,csv}   one row per design point: its values and outputs
    sensitivity/noise.csv            per run-level figure, the share of variance that is noise
    sensitivity/verdicts.csv         per output and parameter: index, interval, floor, matters
    sensitivity/<output>.png         mu*–sigma chart (morris) or sorted index bars (sobol, lhs)

The batch is evaluated through :class:`BatchEvaluator`, an
:data:`~crisis_sim.experiments.sensitivity.indices.Evaluator` like any other: the
analysis that follows is the one a test runs on a function with known indices.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.batch.design import Design, sample
from crisis_sim.experiments.sensitivity.indices import SensitivityResult, analyse, run_outputs
from crisis_sim.runs.safe_folders import rebuilt

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from crisis_sim.batch.api import BatchResult
    from crisis_sim.batch.design import Skipped
    from crisis_sim.core.schema import Scenario

SENSITIVITY_DIR = "sensitivity"


@dataclass
class BatchEvaluator:
    """Evaluates a design by running it as a batch: ``replicates`` seeded runs per point.

    Called as ``evaluator(design, matrix)``, it runs (or resumes) the batch and
    returns the run-level table of :func:`~crisis_sim.experiments.sensitivity.indices.run_outputs`.
    The batch samples the design itself; ``matrix`` must be that same matrix.
    ``options`` go to :func:`crisis_sim.batch.api.run_batch`.
    """

    scenario: Scenario | str | Path
    replicates: int
    out: str | Path | None = None
    options: dict[str, Any] = field(default_factory=dict)
    batch: BatchResult | None = None

    def __call__(self, design: Design, matrix: np.ndarray) -> pd.DataFrame:
        from crisis_sim.batch.api import run_batch

        self.batch = run_batch(self.scenario, self.replicates, seed=design.seed, out=self.out,
                               design=design, **self.options)
        return batch_outputs(self.batch, design, matrix)


def batch_outputs(batch: BatchResult, design: Design, matrix: np.ndarray) -> pd.DataFrame:
    """A finished study batch's runs as the run-level table of the analysis, checked against ``matrix``."""
    import numpy as np

    from crisis_sim.batch.folder import BatchError

    runs = batch.runs
    stored = runs.groupby("point_id", sort=True)[design.names].first().to_numpy(dtype=float)
    if stored.shape != matrix.shape or not np.array_equal(stored, matrix):
        raise BatchError(f"{batch.path}: its design points are not the design's sample matrix")
    round_hours = float(batch.manifest["scenario"]["round_hours"])
    by_path = {p.path: p for p in design.parameters}
    if "round_hours" in by_path:  # a varied round length: each point's own
        per_point = np.array([by_path["round_hours"].scenario_value(x) for x in matrix[:, design.names.index(
            "round_hours")]], dtype=float)
        hours = per_point[runs["point_id"].to_numpy()]
    else:
        hours = round_hours
    return run_outputs(runs, runs["rounds_run"].to_numpy(dtype=float) * hours)


def run_sensitivity(
    scenario: Scenario | str | Path,
    design: Design,
    replicates: int,
    out: str | Path,
    *,
    skipped: Sequence[Skipped] = (),
    command: list[str] | None = None,
    **options: Any,
) -> tuple[SensitivityResult, BatchResult]:
    """Run the design as a batch in ``out`` (or resume it), analyse it, write ``out/sensitivity/``.

    ``options`` go to :func:`crisis_sim.batch.api.run_batch` (workers,
    engine, resume, force, progress, source, scheduler, max_runs, chunk_size).
    Raises what :func:`run_batch` raises, before anything is written when
    the input is bad.
    """
    evaluator = BatchEvaluator(scenario, replicates, out, {**options, "command": command})
    matrix = sample(design)
    runs = evaluator(design, matrix)
    result = analyse(design, matrix, runs, seed=design.seed)
    batch = evaluator.batch
    assert batch is not None
    write_study(batch.path, result, batch, skipped=skipped)
    return result, batch


def figure_name(output: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", output) + ".png"


def write_study(
    folder: Path, result: SensitivityResult, batch: BatchResult, *, skipped: Sequence[Skipped] = ()
) -> Path:
    """Write ``folder/sensitivity/`` whole: built under a hidden name, then swapped into place."""
    from crisis_sim.experiments.sensitivity.report import render_report
    from crisis_sim.runs.run_folder import write_frame

    target = folder / SENSITIVITY_DIR
    with rebuilt(target) as tmp:
        outputs = _outputs_table(result)
        for name, frame in (("indices", result.indices), ("outputs", outputs)):
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
            write_frame(frame, tmp / f"{name}.csv")
        write_frame(result.noise, tmp / "noise.csv")
        write_frame(result.verdicts, tmp / "verdicts.csv")
        figures = _write_figures(tmp, result)
        report = render_report(
            result,
            scenario=str(batch.manifest.get("scenario_name")),
            replicates=int(batch.manifest["runs"]),
            seed=int(batch.manifest["seed"]),
            skipped=[{"path": s.path, "reason": s.reason} for s in skipped],
            figures=figures,
            command=batch.manifest.get("command") or (),
        )
        (tmp / "report.md").write_text(report, encoding="utf-8")
    return target


def _outputs_table(result: SensitivityResult) -> pd.DataFrame:
    import pandas as pd

    values = pd.DataFrame(result.matrix, columns=result.design.names)
    values.insert(0, "point_id", range(len(values)))
    return pd.concat([values, result.outputs.reset_index(drop=True)], axis=1)


def _write_figures(folder: Path, result: SensitivityResult) -> dict[str, str]:
    """One figure per output that varies; returns output → file name."""
    from crisis_sim.experiments.sensitivity.figures import plot_morris, plot_sorted_index, save_figure

    method = result.design.method
    floors = result.verdicts.groupby("output")["floor"].first().to_dict() if len(result.verdicts) else {}
    written = {}
    for output, rows in result.indices.groupby("output", sort=False):
        title = f"{output}: {method}"
        if method == "morris":
            verdicts = result.verdicts
            mattering = verdicts[(verdicts["output"] == output) & verdicts["matters"]]["parameter"]
            ax = plot_morris(rows, title, also=list(mattering))
        elif method == "sobol":
            ax = plot_sorted_index(rows, title, key="ST", also="S1", floor=floors.get(output),
                                   label="ST (total order), S1 marked")
        else:
            ax = plot_sorted_index(rows, title, key="rho", also=None, label="Spearman rho")
        name = figure_name(str(output))
        save_figure(ax, folder / name)
        written[str(output)] = name
    return written
