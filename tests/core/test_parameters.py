"""One validator for the planning parameters; its errors name the field, not a flag."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from stockshift.core.errors import ParameterError
from stockshift.core.parameters import RANGES, validate_parameters
from stockshift.core.types import PlanParameters


def test_defaults_are_allowed() -> None:
    params = PlanParameters()
    assert validate_parameters(params) is params


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target", "median"),
        ("forecast", "prophet"),
        ("clusters", "0"),
        ("clusters", "lots"),
        ("window", 0),
        ("cover_days", 0),
        ("service_level", 1.0),
        ("service_level", 0.0),
        ("max_distance_km", -1.0),
        ("max_distance_km", float("nan")),
        ("max_transfers", -1),
        ("pack_size", 0),
        ("min_transfer_units", -1),
        ("seed", -1),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(field: str, value: object) -> None:
    with pytest.raises(ParameterError) as caught:
        validate_parameters(replace(PlanParameters(), **{field: value}))
    error = caught.value
    assert error.field == field
    assert str(error).startswith(f"{field} ")
    flag = "--" + field.replace("_", "-")
    assert error.render(lambda name: "--" + name.replace("_", "-")).startswith(f"{flag} ")


def test_every_range_is_a_field_and_its_bounds_are_allowed() -> None:
    names = {f.name for f in fields(PlanParameters)}
    for name, limits in RANGES.items():
        assert name in names
        for bound, is_open in ((limits.low, limits.low_open), (limits.high, limits.high_open)):
            assert (bound in limits) is not is_open


def test_a_message_without_a_field_is_left_as_it_is() -> None:
    error = ParameterError("plan 3 failed: no stock")
    assert error.field is None and error.render(str.upper) == "plan 3 failed: no stock"
