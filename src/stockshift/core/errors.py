"""Domain exceptions, with messages a planner can act on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt whole where it is raised in another process (a Dask worker's task)
        return (_input_error, (type(self), self.issues, self.total))

    @classmethod
    def single(cls, file: str, row: int | None, column: str | None, message: str) -> InputError:
        return cls([InputIssue(file, row, column, message)])


def _input_error(cls: type[InputError], issues: list[InputIssue], total: int) -> InputError:
    return cls(issues, total=total)


FIELD = "{field}"


class ParameterError(StockshiftError):
    """A parameter is out of range or inconsistent with the inputs.

    ``field`` is the parameter's name as core spells it (``pack_size``); the message says
    ``{field}`` where that name belongs, and each front end renders it in its caller's
    language (:meth:`render`): the CLI as ``--pack-size``, the API as ``pack_size``.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        self.template = message
        super().__init__(self.render(lambda name: name))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_parameter_error, (type(self), self.template, self.field))

    @classmethod
    def about(cls, field: str, value: object, reason: str) -> ParameterError:
        """``{field} <value>: <reason>``, the value as the caller gave it (text quoted)."""
        shown = repr(value) if isinstance(value, str) else str(value)
        return cls(f"{FIELD} {shown}: {reason}", field=field)

    def render(self, name: Callable[[str], str]) -> str:
        """The message with the field spelled by ``name``."""
        if self.field is None:
            return self.template
        return self.template.replace(FIELD, name(self.field))


def _parameter_error(cls: type[ParameterError], template: str, field: str | None) -> ParameterError:
    return cls(template, field=field)


class PlanningError(StockshiftError):
    """A planner could not produce a plan from valid inputs (e.g. a solver failure)."""
