"""A calibration by approximate Bayesian computation over the back-test's cases.

:mod:`.abc` rejection ABC over a table of distances (no I/O); :mod:`.run` the plan (each case a
batch over prior draws and one at its defaults), the run and the ``calibration/`` folder;
:mod:`.report` the scoreboards and the Markdown report; :mod:`.figures` the pair plot of the draws.
See docs/calibration.md.
"""
