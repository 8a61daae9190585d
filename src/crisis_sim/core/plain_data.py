"""One way to make data JSON-ready: what every file the program writes in JSON goes through.

Two forms of one rule. :func:`json_default` is the ``default=`` hook of :func:`json.dumps`:
it is asked only about values JSON has no type for (numpy scalars and arrays, enums, dates,
paths, sets, tuples), and a file written with ``allow_nan=False`` refuses a NaN. :func:`json_ready`
turns a whole structure into plain JSON types at once, with a missing value (None, ``pd.NA``,
NaN or an infinity) as ``null``: for tables read back as records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any


def json_default(value: Any) -> Any:
    """A JSON type for a value JSON has none for: numpy scalars and arrays, enums (their value),
    dates (ISO 8601), paths (text), sets (sorted), tuples (lists); TypeError otherwise."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return item()
    tolist = getattr(value, "tolist", None)  # numpy arrays
    if callable(tolist):
        return tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_ready(value: Any) -> Any:
    """``value`` in plain JSON types, at every depth: mappings with text keys, lists, Python
    numbers for numpy ones, and ``None`` for a missing value (None, ``pd.NA``, NaN, an infinity)."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if value is None or _is_na(value):
        return None
    item = getattr(value, "item", None)
    if callable(item):
        value = item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _is_na(value: Any) -> bool:
    return type(value).__name__ == "NAType"  # pandas' NA, without importing pandas here
