"""How numbers read to people: one place, so a lift looks the same everywhere.

It sits with the analysis, below charts and pages alike, so a chart's caption and the
table beside it cannot word the same figure differently.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence

from ..inputs.catalog import MetricDef, confidence_level
from ..inputs.problems import plural
from ..inputs.vocabulary import MetricKind
from .effects import Comparison

NO_VALUE = "\u2013"  # en dash: "no value" reads quieter than a hyphen
MINUS = "\u2212"  # typographic minus, as wide as the plus sign


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _trimmed(text: str) -> str:
    """``61.20`` as ``61.2``, ``64.00`` as ``64``: no zeros that say nothing."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(x: float | None, digits: int = 2) -> str:
    return NO_VALUE if _missing(x) else f"{_trimmed(f'{x * 100:.{digits}f}')}%"


def signed_percent(x: float | None, digits: int = 1) -> str:
    """Relative lifts: always signed, so a reader never mistakes a drop for a gain."""
    if _missing(x):
        return NO_VALUE
    text = _trimmed(f"{x * 100:+.{digits}f}")
    return f"{'+0' if text in ('+0', '-0') else text}%".replace("-", MINUS)


_LAST_NUMBER = re.compile(r"([0-9])(?:\.([0-9]+))?(?=[^0-9]*$)")


def aligned(texts: Sequence[str]) -> list[str]:
    """Numbers read side by side with as many decimals each: 61.2% and 64.01% as 61.20%
    and 64.01%, [+7%, +44.4%] as [+7.0%, +44.4%]. Alone, a number drops its zeros."""
    found = [_LAST_NUMBER.search(text) for text in texts]
    digits = max((len(m.group(2) or "") for m in found if m), default=0)
    out = []
    for text, m in zip(texts, found, strict=True):
        if m is None or digits == 0:
            out.append(text)
            continue
        have = m.group(2) or ""
        fraction = "." + have + "0" * (digits - len(have))
        out.append(text[: m.start()] + m.group(1) + fraction + text[m.end() :])
    return out


def interval(low: float | None, high: float | None, digits: int = 1) -> str:
    if _missing(low) or _missing(high):
        return NO_VALUE
    shown = aligned([signed_percent(low, digits), signed_percent(high, digits)])
    return f"[{shown[0]}, {shown[1]}]"


def shown_interval(comparison: Comparison | None, digits: int = 1) -> str:
    """A comparison's interval with the level it is shown at: ``95% [+2.4%, +6.8%]``,
    ``98.3% [...]`` where a correction tested it at a stricter level, and whether it is a
    running test's always-valid one."""
    if comparison is None or comparison.ci_confidence is None:
        return NO_VALUE
    shown = interval(comparison.ci_low, comparison.ci_high, digits)
    level = interval_level(comparison, comparison.ci_confidence)
    return NO_VALUE if shown == NO_VALUE else f"{level} {shown}"


def interval_level(comparison: Comparison, confidence: float) -> str:
    """``95%``, ``98.3%``, or ``95% always-valid`` for a running test's look; at
    ``confidence`` when the comparison has no interval of its own."""
    level = confidence_level(comparison.ci_confidence or confidence)
    return f"{level} always-valid" if comparison.always_valid else level


def p_value(p: float | None) -> str:
    if _missing(p):
        return NO_VALUE
    return "< 0.001" if p < 0.001 else _trimmed(f"{p:.3f}")


def p_statement(p: float | None) -> str:
    """``p = 0.012`` or ``p < 0.001``, for running text."""
    text = p_value(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def chance(x: float | None) -> str:
    """A chance to beat the control in whole percent: the normal approximation behind it
    warrants no more, and never 0% or 100%, which would claim a certainty no test has."""
    if _missing(x):
        return NO_VALUE
    if x < 0.01:
        return "< 1%"
    if x > 0.99:
        return "> 99%"
    return f"{round(x * 100)}%"


def count(n: int | None) -> str:
    return NO_VALUE if n is None else f"{n:,}"


def number(x: float | None) -> str:
    """Up to two decimals below a thousand, none above; no trailing zeros."""
    if _missing(x):
        return NO_VALUE
    return _trimmed(f"{x:,.2f}") if abs(x) < 1000 else f"{x:,.0f}"


_CURRENCIES = {"$", "€", "£"}


def metric_value(x: float | None, definition: MetricDef) -> str:
    """A value in the metric's unit: rates as percentages, money and times with units.

    Money keeps its cents ($38.90), as prices are written.
    """
    if definition.kind is MetricKind.PROPORTION:
        return percent(x)
    unit = definition.unit
    if _missing(x):
        return NO_VALUE
    if unit in _CURRENCIES:
        return f"{unit}{x:,.2f}" if abs(x) < 1000 else f"{unit}{x:,.0f}"
    return f"{number(x)} {unit}".strip()


def metric_values(values: Sequence[float | None], definition: MetricDef) -> list[str]:
    """The arms' values of one metric, aligned: a column or a pair reads at one precision."""
    return aligned([metric_value(x, definition) for x in values])


def days(n: float | None) -> str:
    """A span of days, such as a median cycle: ``12 days``."""
    return NO_VALUE if _missing(n) else f"{round(n)} days"


def sentence(text: str) -> str:
    """``split broken: ...`` as it starts a sentence: ``Split broken: ...``."""
    return text[:1].upper() + text[1:]


def date(d: dt.date | None) -> str:
    return NO_VALUE if d is None else d.strftime("%-d %b %Y")


FILTERS = {
    "percent": percent,
    "signed_percent": signed_percent,
    "interval": interval,
    "interval_level": interval_level,
    "p_value": p_value,
    "p_statement": p_statement,
    "chance": chance,
    "count": count,
    "number": number,
    "metric_value": metric_value,
    "metric_values": metric_values,
    "date": date,
    "days": days,
    "sentence": sentence,
    "plural": plural,
}
