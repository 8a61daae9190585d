"""One way to write a Markdown table: every report, page and summary writes its tables here."""

from __future__ import annotations

from collections.abc import Collection, Sequence


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]],
                   left: int | None = None, right: Collection[int] = ()) -> list[str]:
    """The lines of a Markdown table: ``header``, then ``rows`` (cells as text, ``|`` escaped).

    The first ``left`` columns are left-aligned (``---``) and the others right-aligned
    (``---:``), as numbers are; ``left=None`` right-aligns only the columns numbered in
    ``right`` and leaves the others to the renderer's default.
    """
    if left is not None:
        right = range(left, len(header))
    rule = "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"
    return ["| " + " | ".join(_cell(h) for h in header) + " |", rule,
            *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)]


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|")


def marked_block(text: str, start: str, end: str) -> str:
    """The part of ``text`` between the markers ``start`` and ``end`` (a generated block of a
    docs page), stripped."""
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def with_marked_block(text: str, start: str, end: str, block: str) -> str:
    """``text`` with the part between the markers ``start`` and ``end`` replaced by ``block``."""
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{block}\n{end}{tail}"
