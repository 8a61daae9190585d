"""Experiments: questions asked of the model with many batches, each with its plan, run and report.

* :mod:`.backtest` — every case of a folder run as a batch and scored against its recorded history;
* :mod:`.sensitivity` — a sampled design run as a batch, its indices (Morris, Sobol', rank) and report;
* :mod:`.calibration` — approximate Bayesian computation: prior draws run per case, the fit and its report;
* :mod:`.compare` — batches compared: outcome shares, differences, fan charts, written to a folder;
* :mod:`.reliability` — whether the governments' stated beliefs come true as often as stated.

Each is built on the batch API (:mod:`crisis_sim.batch`) and the statistics of
:mod:`crisis_sim.analysis`; the command line (:mod:`crisis_sim.cli`) calls them.
"""
