"""The ``crisis-sim`` command line: thin commands over the library.

Exit codes are set here and only here, so that every command answers the
same way: 0 success; 2 bad input (a scenario, a flag, a path), with one
line per problem on stderr, no traceback and nothing written; 1 an
unexpected internal error (with its traceback).

Heavy modules (mesa, pandas, matplotlib, pydantic models) are imported inside
the commands, so that ``crisis-sim --help`` answers at once.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from crisis_sim import __version__

if TYPE_CHECKING:
    from pathlib import Path

PROG = "crisis-sim"


def _one_line(exc: Exception, name: str) -> None:
    """Make a usage error (a bad flag or value, an unknown command) show as one line on stderr,
    as every bad input does, instead of click's usage, hint and message (exit code 2 as before)."""
    format_message = getattr(exc, "format_message", None)
    if callable(format_message) and hasattr(exc, "show"):
        line = f"{name}: {format_message()}"
        exc.show = lambda file=None: say(line, err=True)


class OneLineUsageErrors(TyperCommand):
    """Usage errors (a bad flag or value) as one line on stderr, exit 2, like every bad input."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            _one_line(exc, f"{PROG} {self.name}")
            raise


class _OneLineGroup(TyperGroup):
    """An unknown command or a bad option before it, as one line too."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            _one_line(exc, PROG)
            raise

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:
            _one_line(exc, PROG)
            raise


class _Typer(typer.Typer):
    """Every command answers a usage error in one line (:class:`OneLineUsageErrors`)."""

    def command(self, name=None, *, cls=None, **kwargs):
        return super().command(name, cls=cls or OneLineUsageErrors, **kwargs)


app = _Typer(
    cls=_OneLineGroup,
    name=PROG,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help and usage errors: faster (no rich import), pipe-friendly
    context_settings={"help_option_names": ["-h", "--help"]},
)


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text that may hold the user's words (titles, names, labels, values),
    without its control characters (:func:`crisis_sim.present.printable`)."""
    from crisis_sim.present import printable

    typer.echo(printable(str(text)), err=err, nl=nl)


_RAW_CONTROLS = re.compile("[\x7f-\x9f]")
"""What JSON leaves raw that a terminal obeys: DEL and the C1 controls (JSON escapes the C0 ones)."""


def say_json(text: str, *, nl: bool = True) -> None:
    """Print JSON text on stdout with DEL and the C1 control characters escaped (``\\u009b``): the
    same JSON value, nothing a terminal would obey (a title may hold any character)."""
    typer.echo(_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text), nl=nl)


def printable_warnings() -> None:
    """Print every warning without its control characters, as :func:`say` prints text.

    Libraries quote the user's words in their warnings: matplotlib's
    "Glyph 27 (\x1b) missing from font" carries the raw character of a
    title or name, and an escape, a bell or a carriage return would reach the
    terminal through it. Installed by :func:`crisis_sim.cli.main`.
    """
    import contextlib
    import warnings

    from crisis_sim.present import printable

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = warnings.formatwarning(message, category, filename, lineno, line)
        stream = file if file is not None else sys.stderr
        with contextlib.suppress(OSError, ValueError):  # a closed stream, as the default does
            stream.write(printable(text))

    warnings.showwarning = show


def _fail(lines: list[str] | str, code: int = 2) -> NoReturn:
    """Print problem lines on stderr and exit with ``code`` (2: bad input)."""
    for line in [lines] if isinstance(lines, str) else lines:
        say(line, err=True)
    raise typer.Exit(code)


def _refuse_locked(out_dir: Path) -> None:
    """Exit 2, in one line, when a running batch holds ``out_dir``'s lock.

    ``run`` and ``compare`` would refuse a batch folder anyway (it is not
    their kind of folder); a running batch is the more useful thing to be
    told, and is said even without ``--force`` (docs/batch-format.md, "The lock").
    """
    if out_dir.is_dir():
        from crisis_sim.batch.lock import live_holder

        holder = live_holder(out_dir)
        if holder is not None:
            _fail(f"{out_dir}: a batch is writing this folder: {holder}; not replacing it")


def _refuse_inside(out_dir: Path | None) -> None:
    """Exit 2, in one line, when ``out_dir`` lies inside a folder this program made (a batch's, a
    run's, ...): that folder's own command owns everything in it (docs/batch-format.md)."""
    if out_dir is None:
        return
    from crisis_sim.runs.safe_folders import enclosing_folder

    found = enclosing_folder(out_dir)
    if found is not None:
        _fail(f"{out_dir}: inside the {found[1]} folder {found[0]}; choose a folder outside it")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Agent-based simulation of diplomatic crises over deportation flights.

    Start with `crisis-sim run` (the US–Colombia crisis of 26 January 2025),
    or `crisis-sim list` to see the bundled scenarios and policies.
    """
