"""analysis.stats: SciPy's Wilson interval and bootstrap against published and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from crisis_sim.analysis.stats import bootstrap_difference, reduce_runs, wilson_interval


@pytest.mark.parametrize(
    ("successes", "n", "lo", "hi"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (score, no correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombes_published_values(successes, n, lo, hi) -> None:
    assert wilson_interval(successes, n) == pytest.approx((lo, hi), abs=5e-5)


def test_wilson_interval_widens_with_the_level() -> None:
    lo95, hi95 = wilson_interval(30, 100)
    lo99, hi99 = wilson_interval(30, 100, 0.99)
    assert lo99 < lo95 < 0.3 < hi95 < hi99


def test_bootstrap_is_seeded_and_left_out_resamples_are_only_the_undefined_ones() -> None:
    # The reference's median is undefined in every resample of its three NaN
    # runs alone (about a third of them); those are dropped, the rest kept.
    reference = np.array([[np.nan, np.nan, np.nan, 1.0], [1.0, 2.0, 3.0, 4.0]])
    other = np.array([[2.0, 3.0, np.nan], [2.0, 2.0, 5.0]])
    reducers = ["median", "mean"]
    n_boot = 400
    lo, hi = bootstrap_difference(reference, other, reducers, n_boot=n_boot, rng=np.random.default_rng(7))
    again = bootstrap_difference(reference, other, reducers, n_boot=n_boot, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(np.stack([lo, hi]), np.stack(again))

    rng = np.random.default_rng(7)  # SciPy draws the reference's indices, then the other's
    index_ref = rng.integers(0, 4, size=(n_boot, 4))
    index_oth = rng.integers(0, 3, size=(n_boot, 3))
    for row, reducer in enumerate(reducers):
        group = [reduce_runs(other[row, index_oth[b]], reducer) for b in range(n_boot)]
        base = [reduce_runs(reference[row, index_ref[b]], reducer) for b in range(n_boot)]
        differences = np.array(group) - np.array(base)
        kept = differences[~np.isnan(differences)]
        assert 0 < len(kept) <= n_boot
        assert (len(kept) < n_boot) == (row == 0)
        assert lo[row] == pytest.approx(np.percentile(kept, 2.5), abs=1e-12)
        assert hi[row] == pytest.approx(np.percentile(kept, 97.5), abs=1e-12)


def test_bootstrap_needs_two_runs_per_sample() -> None:
    lo, hi = bootstrap_difference(
        np.array([[1.0]]), np.array([[1.0, 2.0]]), ["mean"], n_boot=50, rng=np.random.default_rng(0)
    )
    assert np.isnan(lo).all() and np.isnan(hi).all()


def test_one_markdown_table_helper_escapes_and_aligns():
    from crisis_sim.analysis.markdown import markdown_table

    assert markdown_table(["a", "b|c"], [["x|y", 2]], left=1) == [
        "| a | b\\|c |", "|---|---:|", "| x\\|y | 2 |"]
    assert markdown_table(["a", "b"], [])[1] == "|---|---|"


def test_a_marked_block_is_read_and_replaced_between_its_markers_only():
    from crisis_sim.analysis.markdown import marked_block, with_marked_block

    page = "intro <!-- b -->\nold table\n<!-- /b --> after <!-- /b -->"
    assert marked_block(page, "<!-- b -->", "<!-- /b -->") == "old table"
    new = with_marked_block(page, "<!-- b -->", "<!-- /b -->", "new table")
    assert new == "intro <!-- b -->\nnew table\n<!-- /b --> after <!-- /b -->"
    assert marked_block(new, "<!-- b -->", "<!-- /b -->") == "new table"
