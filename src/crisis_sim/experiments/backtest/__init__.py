"""The back-test: every case of a folder run as a batch and scored against its recorded history.

:mod:`.run` plans and runs the batches and writes the scoreboard folder; :mod:`.scoring` scores a
batch's runs against a case's history (outcome shares, Brier score, time ratio, measures; no I/O).
See docs/backtest.md.
"""
