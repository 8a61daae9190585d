"""What observers learn from a move: the public beliefs about resolve, updated by Bayes' rule.

Every government's policy is public; its resolve is private. Observers read each choice with
the model that made it: the likelihood of the option chosen, at each resolve of the belief grid
(:data:`crisis_sim.core.beliefs.GRID`), is the probability the mover's policy gives that option
from the same view with that resolve, by the same rule of choice
(:func:`~crisis_sim.core.dynamics.round_probabilities`). Holding out under pressure is likelier
for the resolute, so waiting is evidence too (Fearon 1994, 1997: costly signals; Bayesian
updating over types as in signalling games).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from crisis_sim.core import beliefs
from crisis_sim.core.dynamics import round_probabilities_grid
from crisis_sim.core.government import is_stay
from crisis_sim.core.types import Option

if TYPE_CHECKING:
    from crisis_sim.core.government import Government
    from crisis_sim.core.model import CrisisModel
    from crisis_sim.core.view import WorldView


def learn_from_moves(model: CrisisModel) -> None:
    """Everyone updates the public belief about each party that chose this round.

    The likelihood of the option a government chose, at each resolve of
    the grid, is the probability its (publicly known) policy gives that
    option from the same view with that resolve
    (:meth:`~crisis_sim.core.government.Government.choice_probabilities`):
    the observers read the choice with the model that made it. Waiting is
    evidence too (holding out under pressure is likelier for the
    resolute); implementing a settlement is not, nor are bystanders' moves
    (they are not about their own resolve).
    """
    if not model.dyn.learning:  # beliefs frozen at the prior: nothing to read
        return
    updates = {}
    model.likelihoods = {}
    for gov in model.governments.values():
        if not gov.last_choices:
            continue
        likelihood = [1.0] * len(beliefs.GRID)
        for view, options, chosen in gov.last_choices:
            for k, p in enumerate(choice_likelihood(gov, view, chosen, options)):
                likelihood[k] *= p
        model.likelihoods[gov.key] = likelihood
        updates[gov.key] = beliefs.update(model.public_beliefs[gov.key], likelihood)
    model.public_beliefs.update(updates)


_GRID_OFFSETS = np.asarray(beliefs.GRID) - beliefs.GRID[0]
"""Each resolve of the belief grid less the lowest: where :func:`choice_likelihood` reads a line."""


def choice_likelihood(gov: Government, view: WorldView, chosen: Option,
                      weighed: list[Option] | None = None) -> list[float]:
    """P(``gov`` chooses ``chosen`` from ``view``) at each resolve of the belief grid.

    The policy is asked at the lowest and highest resolve of the grid; with
    the options it weighed at its true resolve (``weighed``; asked at the
    middle of the grid when not given) that makes three points. When it
    offers the same moves at all three and every utility at the third lies on
    the line through the ends (utilities affine in resolve, as the stake is),
    the utilities at the other grid points are read off that line; otherwise
    (a threshold of a rule, a kink) the policy is asked at every grid point.
    Either way the choice probabilities come from the same rule that made the
    choice (:func:`~crisis_sim.core.dynamics.round_probabilities`).
    """
    grid = beliefs.GRID
    lo, hi = 0, len(grid) - 1
    asked = {k: gov.reading_policy.options(view.with_resolve(grid[k])) for k in (lo, hi)}
    if weighed is None:
        third_resolve = grid[len(grid) // 2]
        third = gov.reading_policy.options(view.with_resolve(third_resolve))
    else:
        third_resolve, third = view.resolve, weighed
    stay_chosen = is_stay(chosen)
    moves = tuple(o.actions for o in asked[lo])
    if moves == tuple(o.actions for o in asked[hi]) == tuple(o.actions for o in third):
        low, high, middle = ([o.utility for o in x] for x in (asked[lo], asked[hi], third))
        span = grid[hi] - grid[lo]
        slopes = [(b - a) / span for a, b in zip(low, high, strict=True)]
        on_line = all(abs(a + s * (third_resolve - grid[lo]) - m) <= 1e-12
                      for a, s, m in zip(low, slopes, middle, strict=True))
        if on_line:
            options = asked[lo]
            stay = next((i for i, o in enumerate(options) if is_stay(o)), None)
            match = [i for i, o in enumerate(options)
                     if ((i == stay) if stay_chosen else o.actions == chosen.actions)]
            utilities = np.multiply.outer(_GRID_OFFSETS, slopes)  # each row: low + offset · slope
            utilities += low
            p = round_probabilities_grid(utilities, gov.temperature, view.hours_to_move, stay,
                                         gov.spec.deliberation_hours, view.reconsidering)
            if len(match) == 1:  # the usual case: one option is the move (a sum of one is itself)
                line: list[float] = p[:, match[0]].tolist()
                return line
            summed: list[float] = p[:, match].sum(axis=1).tolist()
            return summed
    out = []
    for k, r in enumerate(grid):
        options = asked[k] if k in asked else gov.reading_policy.options(view.with_resolve(r))
        probabilities = gov.choice_probabilities(view, options)
        out.append(sum(q for o, q in zip(options, probabilities, strict=True)
                       if (is_stay(o) if stay_chosen else o.actions == chosen.actions)))
    return out
