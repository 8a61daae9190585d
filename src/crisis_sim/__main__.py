"""``python -m crisis_sim``: the same as the ``crisis-sim`` command."""

import sys

from crisis_sim.batch import stops

stops.install()  # before the command line's imports: a Ctrl-C during them is not lost
try:
    from crisis_sim.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line is still being imported
    print("interrupted", file=sys.stderr)
    sys.exit(130)

if __name__ == "__main__":
    main()
