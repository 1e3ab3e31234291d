"""The planning flags are defined once and reach the commands as one parameters object."""

from __future__ import annotations

from dataclasses import fields

import pytest
from pydantic import ValidationError

from stockshift.api.schemas import PlanCreate
from stockshift.cli.options import PLANNING_OPTIONS
from stockshift.core.parameters import RANGES
from stockshift.core.types import PlanParameters


def test_every_parameter_has_a_flag_and_an_api_field() -> None:
    names = [f.name for f in fields(PlanParameters)]
    assert list(PLANNING_OPTIONS) == names
    assert list(PlanCreate.model_fields) == names


def test_the_api_applies_the_core_limits() -> None:
    for name, limits in RANGES.items():
        for bound, is_open, step in (
            (limits.low, limits.low_open, -1),
            (limits.high, limits.high_open, 1),
        ):
            beyond = bound + step * (0.5 if isinstance(bound, float) else 1)
            with pytest.raises(ValidationError):
                PlanCreate.model_validate({name: beyond})
            if is_open:
                with pytest.raises(ValidationError):
                    PlanCreate.model_validate({name: bound})
            else:
                assert getattr(PlanCreate.model_validate({name: bound}), name) == bound


def test_a_bad_flag_is_named_as_a_flag(tmp_path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("plan", "--stores", tmp_path / "none.csv", "--pack-size", "0")
    assert result.exit_code == 2
    assert "--pack-size 0: must be at least 1" in result.stderr
    result = cli("db", "plan", "--clusters", "many", "--database-url", "sqlite://")
    assert result.exit_code == 2
    assert "--clusters 'many': use auto, column" in result.stderr
