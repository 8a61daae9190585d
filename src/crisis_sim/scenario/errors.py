"""The one error type of bad scenario input."""

from __future__ import annotations


class ScenarioError(Exception):
    """Bad scenario input: holds one message line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))
