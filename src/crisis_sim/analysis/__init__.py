"""Statistics over runs and batches: outcome shares with intervals, summaries,
comparisons between batches and their reports. Never runs a model or an engine."""
