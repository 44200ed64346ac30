"""``experiments.json``: every published experiment's facts and computed results.

Other tools (dashboards, notebooks, chat bots) read this instead of scraping pages; the
layout is documented in the README and versioned by ``schema_version``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from functools import partial
from typing import Any

from ..analysis.comparisons import Analysis, ArmResult, MetricResult
from ..inputs.catalog import Settings
from ..inputs.portfolio import Portfolio
from .feeds import summary
from .readouts import Readout, outcome, readout
from .rendering import Once, made_now

EXPORT_URI = "experiments.json"
SCHEMA_VERSION = 2  # 2: each result has its state; a verdict only when the state is final


def export_json(
    portfolio: Portfolio,
    analyses: dict[str, Analysis],
    url_of: Any,
    as_of: dt.date | None = None,
    once: Once = made_now,
) -> str:
    """The export as text; ``url_of(entry)`` gives each experiment's page URL. Each
    experiment's part is made ``once`` for its write-up and URL."""
    settings = portfolio.catalog.settings
    head = {
        "schema_version": SCHEMA_VERSION,
        "settings": {"confidence": settings.confidence, "correction": settings.correction},
    }
    parts = []
    for entry in portfolio.entries:
        url = url_of(entry)
        make = partial(_experiment_text, analyses[entry.meta.slug], url, settings, as_of)
        parts.append(once(("export", entry.key, url, as_of), make))
    # As json.dumps writes the whole document (tested): "experiments" sorts first. One
    # join, as each copy of a document of tens of megabytes costs.
    rest = _dumped(head).removeprefix("{\n")
    if not parts:
        return '{\n "experiments": [],\n' + rest + "\n"
    pieces = ['{\n "experiments": [\n']
    for part in parts:
        pieces += [part, ",\n"]
    pieces[-1] = "\n ],\n"
    return "".join([*pieces, rest, "\n"])


def _experiment_text(
    analysis: Analysis, url: str, settings: Settings, as_of: dt.date | None
) -> str:
    """One experiment as it sits in the document's list, two levels in."""
    text = _dumped(_experiment(analysis, url, settings.confidence, as_of))
    return "\n".join("  " + line for line in text.split("\n"))


def _dumped(value: Any) -> str:
    # Sorted keys and no NaN: the same input gives the same bytes, and strict parsers cope.
    return json.dumps(_clean(value), sort_keys=True, indent=1, ensure_ascii=False)


def _experiment(
    analysis: Analysis, url: str, confidence: float, as_of: dt.date | None
) -> dict[str, Any]:
    exp = analysis.entry.meta
    facts = exp.model_dump(mode="json", exclude={"metrics"})
    told = outcome(analysis, confidence, as_of)
    return {
        **facts,
        "url": url,
        "source": analysis.entry.path,
        "randomized": exp.design.randomized,
        "srm_p_value": analysis.srm_p_value,
        "srm": analysis.srm,
        "state": told.state.value if told.state else None,  # of the primary result
        "decision_note": told.decision_note or None,
        "takeaway": told.takeaway or None,
        "headline": summary(analysis, confidence, as_of),
        "guardrails_worse": list(dict.fromkeys(metric.name for metric, _ in analysis.breached)),
        "results": [
            _row(
                metric,
                arm,
                metric.arms[0],
                readout(analysis, arm, as_of),
                analysis.breaches(metric, arm),
            )
            for metric in analysis.metrics
            for arm in metric.variants
        ],
        "daily": _daily(analysis, confidence),
    }


def _daily(analysis: Analysis, confidence: float) -> dict[str, Any] | None:
    """The primary metric day by day, one row per date and arm: the cumulative value, and
    for a variant its lift with the always-valid interval the daily chart draws."""
    trend, primary = analysis.trend, analysis.primary
    if trend is None or primary is None:
        return None
    lifts = {lift.arm: lift for lift in trend.lifts}
    rows = []
    for arm in trend.arms:
        lift = lifts.get(arm.arm)
        for day, (date, value) in enumerate(zip(arm.dates, arm.values, strict=True)):
            rows.append(
                {
                    "date": date.isoformat(),
                    "arm": arm.arm,
                    "value": value,
                    "lift": lift.lift[day] if lift else None,
                    "ci_low": lift.ci_low[day] if lift else None,
                    "ci_high": lift.ci_high[day] if lift else None,
                }
            )
    rows.sort(key=lambda row: row["date"])  # stable: arms stay in their order within a day
    return {"metric": primary.name, "ci_level": confidence, "always_valid": True, "rows": rows}


def _row(
    metric: MetricResult,
    arm: ArmResult,
    control: ArmResult,
    told: Readout,
    guardrail_worse: bool,
) -> dict[str, Any]:
    c = arm.comparison
    assert c is not None
    return {
        "metric": metric.name,
        "metric_label": metric.definition.label,
        "kind": metric.definition.kind.value,
        "direction": metric.definition.direction.value,
        "primary": metric.primary,
        "guardrail": metric.guardrail,
        "guardrail_worse": guardrail_worse,  # a guardrail that got clearly worse, even interim
        "reported": metric.reported,
        "arm": arm.arm,
        "control_arm": control.arm,
        "control_value": c.control_value,
        "variant_value": c.variant_value,
        "control_sample": control.sample,
        "variant_sample": arm.sample,
        "abs_diff": c.abs_diff,
        "lift": c.lift,
        "ci_low": c.ci_low,  # the interval the page shows, at ci_level
        "ci_high": c.ci_high,
        "ci_level": c.ci_confidence,
        "ci_low_unadjusted": c.unadjusted[0],  # at the experiment's own confidence
        "ci_high_unadjusted": c.unadjusted[1],
        "p_value": c.p_value,
        "p_adjusted": arm.p_adjusted,
        "chance_better": c.chance_better,  # posterior, flat prior, normal approximation
        "always_valid": c.always_valid,  # interval and p-value of a running test's look
        "state": told.state.value,
        "state_note": told.note,
        "verdict": arm.verdict if told.state.final else None,
        "mde": c.mde,
        "untestable": c.untestable,
        "underpowered": arm.underpowered,
    }


def _clean(value: Any) -> Any:
    """NaN and infinities become null: JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
