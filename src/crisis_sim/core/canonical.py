"""The canonical form of a scenario's data: what a file says, not how it is spelled.

Every hash of a scenario and every random stream of a run derive from this form,
so two files that differ only in spelling — the order of keys in any mapping,
at any depth, or ``24`` written as ``24.0`` — hash the same and give
byte-identical runs. Mapping keys are sorted at every depth; a float with an
integral value is written as that integer; everything else (list order
included, since a list's order can carry meaning) is kept.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


def normalised(value: Any) -> Any:
    """``value`` with mappings as sorted plain dicts and integral floats as ints, at every depth."""
    if isinstance(value, Mapping):
        return {str(k): normalised(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [normalised(item) for item in value]
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def canonical_json(value: Any) -> str:
    """The one text of ``value``'s canonical form (sorted keys, no spaces, numbers normalised)."""
    return json.dumps(normalised(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
