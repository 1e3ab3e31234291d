"""The planning flags are defined once and reach the commands as one parameters object."""

from __future__ import annotations

from dataclasses import fields

from stockshift.api.schemas import PlanCreate
from stockshift.cli.options import PLANNING_OPTIONS
from stockshift.core.parameters import RANGES
from stockshift.core.types import PlanParameters


def test_every_parameter_has_a_flag_and_an_api_field() -> None:
    names = [f.name for f in fields(PlanParameters)]
    assert list(PLANNING_OPTIONS) == names
    assert list(PlanCreate.model_fields) == names


def test_the_api_states_the_core_limits() -> None:
    schema = PlanCreate.model_json_schema()["properties"]
    for name, limits in RANGES.items():
        prop = schema[name]
        bounds = prop.get("anyOf", [prop])[0]
        low = bounds.get("exclusiveMinimum" if limits.low_open else "minimum")
        high = bounds.get("exclusiveMaximum" if limits.high_open else "maximum")
        assert (low, high) == (limits.low, limits.high), name


def test_a_bad_flag_is_named_as_a_flag(tmp_path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("plan", "--stores", tmp_path / "none.csv", "--pack-size", "0")
    assert result.exit_code == 2
    assert "--pack-size 0: must be at least 1" in result.stderr
    result = cli("db", "plan", "--clusters", "many", "--database-url", "sqlite://")
    assert result.exit_code == 2
    assert "--clusters 'many': use auto, column" in result.stderr
