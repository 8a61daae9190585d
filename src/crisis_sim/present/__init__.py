"""How a crisis is shown: narration in words (:mod:`.narrate`) and figures (:mod:`.plots`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters but tab and newline (ESC starts a terminal escape sequence, CR
overwrites a line, C1 controls such as CSI act alone), and the bidirectional
overrides that reorder what a reader sees."""


def printable(text: str) -> str:
    """``text`` with control characters removed, for a terminal.

    Scenario titles, names, labels and reasons are the user's text: printed
    raw, an escape sequence in a title could recolour, retitle or clear the
    reader's terminal. Every text printed from the command line goes through
    here (the narration's own colours are added after).
    """
    return _UNPRINTABLE.sub("", text)


def without_doubled_names(text: str, names: Iterable[str]) -> str:
    """``text`` with a name repeated after its verb replaced by "its".

    A turning point is put together from the scenario's own words, and a
    measure's label often names its imposer: "Westmark imposes Westmark
    tariff" reads as "Westmark imposes its tariff".
    """
    for name in names:
        escaped = re.escape(name)
        text = re.sub(rf"\b({escaped}) (\w+) {escaped}\w*\b", r"\1 \2 its", text)
    return text
