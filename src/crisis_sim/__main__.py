"""``python -m crisis_sim``: the same as the ``crisis-sim`` command."""

from crisis_sim.batch import stops

try:
    stops.install()  # before the command line's imports: a stop during them is not lost
    from crisis_sim.cli import main
except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM or SIGHUP while the command line is being imported
    stops.exit_stopped(exc)
except Exception as exc:  # ... landing while a compiled module initialised (stops.stopped_by)
    if not stops.stopped_by(exc):
        raise
    stops.exit_stopped(exc)

if __name__ == "__main__":
    main()
