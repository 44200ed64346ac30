"""Which statistics an experiment earns, and how site-wide settings change them."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
from kaizen_portal.analysis import effects, power, validity, verdicts
from scipy import optimize

from helpers import VALID, always_valid_reference, analysed


def abn() -> dict:
    data = copy.deepcopy(VALID)
    data["arms"] = ["control", "a", "b"]
    results = data["metrics"][0]["results"]
    results["a"] = results.pop("short_form")
    results["b"] = {"users": 10020, "conversions": 880}
    data["metrics"] = data["metrics"][:1]
    return data


def test_randomized_proportions_match_the_stats_module(tmp_path: Path) -> None:
    analysis = analysed(tmp_path, VALID)
    metric = analysis.primary
    arm = metric.variants[0]
    expected = effects.compare_proportions(10000, 812, 10050, 901)
    assert arm.value == pytest.approx(901 / 10050)
    # The family is both metrics' comparisons: checkout completion and order value.
    order_value = effects.compare_means(812, 54.2, 20.1, 901, 53.8, 21.0)
    raw = [expected.p_value, order_value.p_value]
    family = verdicts.adjust_p_values(raw, "holm")
    assert arm.p_adjusted == family[0]
    assert arm.verdict == verdicts.verdict(expected.lift, family[0], "higher")
    # The interval shown is the same test's at the level Holm tested this comparison at;
    # the one at the experiment's own level stays beside it.
    alpha = verdicts.interval_alphas(raw, family, "holm", 0.95)[0]
    assert alpha is not None and alpha < 0.05
    shown = effects.proportion_interval(901, 10050, 812, 10000, alpha)
    # So is the change it could detect: "too small to tell" speaks of the test at that level.
    mde = power.proportion_mde(812 / 10000, 10000, 10050, alpha)
    assert mde is not None and expected.mde is not None and mde > expected.mde
    assert arm.comparison.shown_at(shown, round(1 - alpha, 12), mde) == arm.comparison
    assert arm.comparison.unadjusted == (expected.ci_low, expected.ci_high)
    assert arm.comparison.ci_low < expected.ci_low


def test_holm_is_applied_across_all_comparisons_of_an_experiment(tmp_path: Path) -> None:
    arms = analysed(tmp_path, abn()).primary.variants
    raw = [a.comparison.p_value for a in arms]
    assert [a.p_adjusted for a in arms] == verdicts.adjust_p_values(raw, "holm")
    assert all(a.p_adjusted >= a.comparison.p_value for a in arms)


def test_correction_and_confidence_come_from_portal_yml(tmp_path: Path) -> None:
    analysis = analysed(tmp_path, abn(), "confidence: 0.99\ncorrection: none\n")
    arm = analysis.primary.variants[0]
    assert arm.p_adjusted == arm.comparison.p_value
    assert arm.comparison == effects.compare_proportions(10000, 812, 10050, 901, 0.99)


def test_before_after_pilot_gets_no_significance(tmp_path: Path) -> None:
    data = dict(copy.deepcopy(VALID), design="before_after")
    analysis = analysed(tmp_path, data)
    assert analysis.srm_p_value is None
    for metric in analysis.metrics:
        for arm in metric.variants:
            assert arm.comparison.p_value is None and arm.comparison.ci_low is None
            assert arm.verdict is None and not math.isnan(arm.comparison.lift)


def test_reported_numbers_pass_through_and_are_marked(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["metrics"] = [
        {
            "name": "return_on_ad_spend",
            "results": {
                "control": {"value": 3.1},
                "short_form": {
                    "value": 3.4,
                    "lift": 0.097,
                    "ci_low": 0.02,
                    "ci_high": 0.17,
                    "p_value": 0.013,
                },
            },
        }
    ]
    metric = analysed(tmp_path, data).metrics[0]
    arm = metric.variants[0]
    assert metric.reported
    assert (arm.comparison.lift, arm.comparison.ci_low, arm.comparison.p_value) == (
        0.097,
        0.02,
        0.013,
    )
    assert arm.verdict == "win"


def test_sample_ratio_mismatch_is_flagged(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["metrics"][0]["results"]["short_form"]["users"] = 9400
    analysis = analysed(tmp_path, data)
    assert analysis.srm and analysis.srm_p_value < validity.SRM_THRESHOLD
    assert not analysed(tmp_path / "even", VALID).srm


# --- a running test: always-valid looks -------------------------------------------------


def running(plan: int | None = 40000) -> dict:
    data = copy.deepcopy(VALID)
    data["status"] = "running"
    del data["decision"]
    data["dates"] = {"build": "2099-03-01", "test": "2099-03-10"}
    if plan:
        data["plan"] = {"sample": plan}
    return data


def _reference_p(counts: tuple[int, int, int, int], n_star: int, alpha: float) -> float:
    """The alpha at which the reference confidence sequence's bound reaches no change,
    found by root-finding on the interval itself, not by the closed form."""
    uc, xc, uv, xv = counts
    p_c, p_v = xc / uc, xv / uv
    rates = (p_c, p_v, p_c * (1 - p_c) / uc, p_v * (1 - p_v) / uv)

    lift = (p_v - p_c) / p_c

    def gap(log_a: float) -> float:
        # rho tuned at the experiment's alpha, the interval read at exp(log_a)
        _, low, high = always_valid_reference(
            *rates, uc + uv, n_star, alpha, -1.0, at=math.exp(log_a)
        )
        return low if lift > 0 else -high

    return math.exp(optimize.brentq(gap, math.log(1e-12), 0.0, xtol=1e-14))


def test_a_running_test_is_read_with_always_valid_p_values_and_intervals(
    tmp_path: Path,
) -> None:
    analysis = analysed(tmp_path, running())
    arm = analysis.primary.variants[0]
    c = arm.comparison
    assert c.always_valid and arm.state.value == "interim"
    # The p-value is where the always-valid interval (rho tuned to the plan's 40,000 users
    # of this pair) stops excluding no change.
    assert c.p_value == pytest.approx(_reference_p((10000, 812, 10050, 901), 40000, 0.05), rel=1e-6)
    # It is wider than the fixed-horizon interval, and its p-value larger.
    fixed = effects.compare_proportions(10000, 812, 10050, 901)
    assert c.unadjusted[0] < fixed.ci_low and c.unadjusted[1] > fixed.ci_high
    assert c.p_value > fixed.p_value
    # Corrected like any family, and the interval shown at Holm's level agrees with it.
    raw = [a.comparison.p_value for m in analysis.metrics for a in m.variants]
    assert arm.p_adjusted == verdicts.adjust_p_values(raw, "holm")[0]
    assert (c.ci_low > 0 or c.ci_high < 0) == (arm.p_adjusted < 0.05)


def test_without_a_plan_a_look_is_tuned_to_the_sample_reached(tmp_path: Path) -> None:
    c = analysed(tmp_path, running(plan=None)).primary.variants[0].comparison
    assert c.p_value == pytest.approx(_reference_p((10000, 812, 10050, 901), 20050, 0.05), rel=1e-6)


def test_a_concluded_test_keeps_its_fixed_horizon_test(tmp_path: Path) -> None:
    c = analysed(tmp_path, VALID).primary.variants[0].comparison
    assert not c.always_valid
    assert c.p_value == effects.compare_proportions(10000, 812, 10050, 901).p_value


# --- guardrails -----------------------------------------------------------------------------


def guarded(variant_mean: float, **changes: object) -> dict:
    data = copy.deepcopy(VALID)
    data["metrics"][1]["guardrail"] = True
    data["metrics"][1]["results"]["short_form"]["mean"] = variant_mean
    data.update(changes)
    return data


def test_a_guardrail_that_got_clearly_worse_is_breached_whatever_the_primary(
    tmp_path: Path,
) -> None:
    analysis = analysed(tmp_path, guarded(48.0))
    ((metric, arm),) = analysis.breached
    assert metric.name == "order_value" and metric.guardrail and arm.verdict == "loss"
    assert analysis.state.value == "win"  # the primary result is unchanged by it


@pytest.mark.parametrize("mean", [54.0, 60.0])
def test_a_guardrail_that_held_or_improved_is_not_breached(tmp_path: Path, mean: float) -> None:
    analysis = analysed(tmp_path, guarded(mean))
    assert analysis.metrics[1].guardrail and analysis.breached == ()


def test_a_broken_split_breaches_nothing(tmp_path: Path) -> None:
    data = guarded(48.0)
    data["metrics"][0]["results"]["short_form"]["users"] = 9400
    analysis = analysed(tmp_path, data)
    assert analysis.srm and analysis.breached == ()


def test_a_running_test_breaches_a_guardrail_on_its_always_valid_look(tmp_path: Path) -> None:
    data = running()
    data["metrics"][1]["guardrail"] = True
    data["metrics"][1]["results"]["short_form"]["mean"] = 48.0
    analysis = analysed(tmp_path, data)
    ((_, arm),) = analysis.breached
    assert arm.comparison.always_valid and arm.state.value == "interim"
