"""Batches compared: :mod:`.comparison` the statistics (no I/O), :mod:`.report` the folder it writes.

See docs/compare.md.
"""
