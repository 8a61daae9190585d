"""Exit codes for the research scripts in ``scripts/``, as the ``crisis-sim`` commands set them.

A script's ``main`` raises the library's own errors for a user's mistake (a
scenario or an override that does not validate, a bad flag value, a folder it
cannot write); :func:`exit_code` prints those as the commands do (one line per
problem on stderr, no traceback) and returns 2. Anything else is a bug and
keeps its traceback. Not imported by the command line itself, so that
``crisis-sim --help`` does not pay for the analysis layer's imports.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from crisis_sim.batch.design import DesignError
from crisis_sim.batch.folder import BatchError
from crisis_sim.present import printable
from crisis_sim.scenario.errors import ScenarioError

USER_ERRORS = (ScenarioError, BatchError, DesignError)
"""What the library raises for a user's mistake rather than for a bug."""


def exit_code(main: Callable[[], int]) -> int:
    """``main()``'s exit code; a user's mistake is its problem lines on stderr and 2."""
    prog = Path(sys.argv[0]).name
    try:
        return main()
    except USER_ERRORS as exc:
        for line in str(exc).splitlines():
            print(f"{prog}: {printable(line)}", file=sys.stderr)
        return 2

