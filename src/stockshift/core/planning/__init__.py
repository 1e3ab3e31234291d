"""Allocation engines. Each exposes ``plan(problem) -> Allocation``."""

from stockshift.core.planning.greedy import Allocation, Problem, plan

__all__ = ["Allocation", "Problem", "plan"]
