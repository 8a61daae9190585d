"""One run of a scenario: build the model, step it, gather what happened.

CONTRACT (implementation in progress):

    run_scenario(scenario: Scenario, seed: int) -> RunResult

RunResult fields:
    scenario: Scenario          the resolved scenario that ran
    seed: int
    rounds_run: int             rounds actually stepped (<= scenario.rounds)
    stopped_early: bool         True when the crisis settled before the horizon
    model_frame: pd.DataFrame   one row per round, round 0 (initial state) to rounds_run;
                                columns: round, hours, clock (ISO str), escalation (int),
                                measures_in_force (int), rate_<measure_id> (float, 0 unless
                                imposed), state_<measure_id> (str), cost_<actor> (cumulative
                                USD bn), approval_<actor> (0..1), deportees_returned,
                                deportees_pending, relations (0..1)
    actor_frame: pd.DataFrame   one row per (round, actor): round, hours, actor, approval,
                                cost_usd_bn, resolve, committed (bool), belief_<other> (0..1)
    events: list[dict]          in order; each {"round", "hours", "clock", "actor",
                                "kind" ("decision"|"event"|"effect"), "actions" (list[str]),
                                "reason" (str)}
    outcome: dict               JSON-ready: outcome (str, one of actions.Outcome), variant
                                (str|None, e.g. "face_saving"), decided_round (int|None),
                                decided_at_hours (float|None), rounds_run, stopped_early,
                                measures {id: {"label", "imposer", "target", "furthest",
                                "final", "imposed_hours" (float, time in force)}},
                                costs_usd_bn {actor: float}, approval {actor: float},
                                deportees_returned (int), first_flight_hours (float|None),
                                turning_points [ {"round", "hours", "text"} ]
"""
