"""``python -m crisis_sim``: the same as the ``crisis-sim`` command."""

from crisis_sim.cli import main

if __name__ == "__main__":
    main()
