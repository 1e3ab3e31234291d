"""Domain exceptions, with messages a planner can act on."""

from __future__ import annotations

from dataclasses import dataclass


class StockshiftError(Exception):
    """Base class of every error a user can cause."""


@dataclass(frozen=True, slots=True)
class InputIssue:
    """One problem in one place of an input file."""

    file: str
    row: int | None  # 1-based data row (the header is row 0), None for the whole file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class InputError(StockshiftError):
    """The input files are not usable; nothing was written. Lists every issue found (capped)."""

    def __init__(self, issues: list[InputIssue], *, total: int | None = None) -> None:
        self.issues = issues
        self.total = total if total is not None else len(issues)
        lines = [str(i) for i in issues]
        if self.total > len(issues):
            lines.append(f"... and {self.total - len(issues)} more")
        super().__init__("\n".join(lines))

    @classmethod
    def single(cls, file: str, row: int | None, column: str | None, message: str) -> InputError:
        return cls([InputIssue(file, row, column, message)])


class ParameterError(StockshiftError):
    """A planning parameter is out of range or inconsistent with the inputs."""


class PlanningError(StockshiftError):
    """A planner could not produce a plan from valid inputs (e.g. a solver failure)."""
