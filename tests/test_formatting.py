"""Numbers as readers see them: in the metric's unit, signed where they are changes."""

from __future__ import annotations

import pytest
from kaizen_portal.analysis import formatting as fmt
from kaizen_portal.inputs.catalog import MetricDef
from kaizen_portal.inputs.problems import not_published


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.612, "61.2%"),
        (0.6401, "64.01%"),
        (0.05, "5%"),
        (None, fmt.NO_VALUE),
        (float("nan"), fmt.NO_VALUE),
    ],
)
def test_a_rate_alone_carries_no_trailing_zeros(value: float | None, shown: str) -> None:
    assert fmt.percent(value) == shown


def test_numbers_side_by_side_read_at_one_precision() -> None:
    rate = MetricDef.model_validate({"label": "Rate", "kind": "proportion"})
    assert fmt.metric_values([0.612, 0.6401, None], rate) == ["61.20%", "64.01%", fmt.NO_VALUE]
    assert fmt.metric_values([0.05, 0.06], rate) == ["5%", "6%"]
    assert fmt.aligned(["236 min", "240.5 min"]) == ["236.0 min", "240.5 min"]
    assert fmt.aligned(["\u22121.2%", "+7%"]) == ["\u22121.2%", "+7.0%"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.07, "+7%"),
        (0.444, "+44.4%"),
        (-0.0123, "\u22121.2%"),  # a true minus sign
        (-0.00001, "+0%"),  # no minus zero: a change too small to show has no direction
        (0.0, "+0%"),
    ],
)
def test_lifts_are_signed_with_at_most_one_decimal(value: float, shown: str) -> None:
    assert fmt.signed_percent(value) == shown


def test_an_interval_reads_as_a_pair_of_lifts() -> None:
    assert fmt.interval(0.07, 0.444) == "[+7.0%, +44.4%]"
    assert fmt.interval(0.07, 0.4) == "[+7%, +40%]"
    assert fmt.interval(None, 0.1) == fmt.NO_VALUE


def test_values_in_their_unit() -> None:
    money = MetricDef.model_validate({"label": "Order value", "kind": "mean", "unit": "$"})
    assert fmt.metric_value(38.9, money) == "$38.90"
    assert fmt.metric_value(1234.5, money) == "$1,234"
    minutes = MetricDef.model_validate({"label": "Time", "kind": "mean", "unit": "min"})
    assert fmt.metric_value(12.50, minutes) == "12.5 min"
    assert fmt.p_value(0.0004) == "< 0.001" and fmt.p_value(0.05) == "0.05"


@pytest.mark.parametrize(
    ("broken", "seen", "said"),
    [
        (1, 3, "1 of 3 experiment files is not published"),
        (2, 3, "2 of 3 experiment files are not published"),
        (1, 1, "1 of 1 experiment file is not published"),
    ],
)
def test_the_unpublished_count_takes_its_own_verb(broken: int, seen: int, said: str) -> None:
    assert not_published(broken, seen) == said


def test_a_chance_is_whole_percent_and_never_certain() -> None:
    assert [fmt.chance(x) for x in (0.004, 0.01, 0.5, 0.937, 0.99, 0.996, None)] == [
        "< 1%",
        "1%",
        "50%",
        "94%",
        "99%",
        "> 99%",
        fmt.NO_VALUE,
    ]
