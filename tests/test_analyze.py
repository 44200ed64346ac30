"""Which statistics an experiment earns, and how site-wide settings change them."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
from kaizen_portal.analysis import effects, validity, verdicts

from helpers import VALID, analysed


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
    assert arm.comparison.shown_at(shown, round(1 - alpha, 12)) == arm.comparison
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
