"""A sensitivity study: a sampled design run as a batch, analysed, and its report written.

:mod:`.indices` the per-point outputs, Morris, Sobol' and rank indices with intervals and the noise
from replicates (no I/O); :mod:`.run` the study over a batch and its ``sensitivity/`` folder;
:mod:`.report` the Markdown report and terminal summary; :mod:`.figures` the mu*–sigma chart and
sorted index bars. See docs/sensitivity.md.
"""
