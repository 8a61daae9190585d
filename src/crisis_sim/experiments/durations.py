"""How long a piece of work takes, in words a progress line or a cost estimate prints."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """``1 h 02 min``, ``3 min 20 s`` or ``12 s``."""
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"
