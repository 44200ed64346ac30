"""Are the portal's intervals calibrated? Simulated experiments through its own analysis.

For each regime (a base rate and users per arm, or a mean's sample size) and a true lift of
0 or +20%, it simulates many experiments, compares them with ``compare_proportions`` /
``compare_means``, and prints how often the 95% interval covers the true lift, how often a
lift of 0 is declared significant (false positives, alpha = 0.05), and whether any interval
left the possible range (a lift below -100%). Targets, in every regime with at least 5
expected conversions per arm: coverage 94-96.5%, false positives at most 5.5%, nothing out
of range.

Then, for the daily chart and a running test's results: A/A tests looked at on each of 30
days, with the always-valid interval and p-value (``analysis.sequential``, checked to agree
at every look) and with the fixed-horizon interval, and the chance that any look excludes
no change (target: at most 5% with the always-valid interval).

    python benchmarks/coverage.py [--runs 4000]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
from kaizen_portal.analysis import sequential  # noqa: E402
from kaizen_portal.analysis.effects import compare_means, compare_proportions  # noqa: E402

ALPHA = 0.05
RATES = [(0.05, 100), (0.05, 1_000), (0.10, 500), (0.30, 200), (0.10, 20_000)]
MEANS = [10, 50, 500]  # observations per arm, from a skewed (lognormal) spend metric
LIFTS = [0.0, 0.2]


def _tally(results, lift: float) -> tuple[float, float, int, int]:
    covered = rejected = outside = counted = 0
    for r in results:
        if r.ci_low is None or r.ci_high is None or r.p_value is None:
            continue
        counted += 1
        covered += r.ci_low <= lift <= r.ci_high
        rejected += r.p_value < ALPHA
        outside += r.ci_low < -1
    return covered / max(counted, 1), rejected / max(counted, 1), outside, counted


def proportions(rng: np.random.Generator, runs: int) -> None:
    print("Rates: 95% interval coverage and false positives at alpha = 0.05")
    header = "  base rate  users/arm  true lift  coverage  significant  out of range  tested"
    print(header)
    for rate, users in RATES:
        for lift in LIFTS:
            control = rng.binomial(users, rate, runs)
            variant = rng.binomial(users, min(rate * (1 + lift), 1.0), runs)
            results = [
                compare_proportions(users, int(c), users, int(v), mde=False)
                for c, v in zip(control, variant, strict=True)
            ]
            coverage, significant, outside, counted = _tally(results, lift)
            label = "false pos." if lift == 0 else "power"
            print(
                f"  {rate:9.0%}  {users:9,}  {lift:+9.0%}  {coverage:8.1%}  "
                f"{significant:6.1%} {label:<5} {outside:12}  {counted:6}"
            )


def means(rng: np.random.Generator, runs: int) -> None:
    print("Means (lognormal spend, sd 1 on the log scale): coverage and false positives")
    print("  n/arm  true lift  coverage  significant  tested")
    sigma = 1.0
    for n in MEANS:
        for lift in LIFTS:
            results = []
            for _ in range(runs):
                c = rng.lognormal(0.0, sigma, n)
                v = rng.lognormal(math.log(1 + lift), sigma, n)
                results.append(
                    compare_means(n, c.mean(), c.std(ddof=1), n, v.mean(), v.std(ddof=1), mde=False)
                )
            coverage, significant, _, counted = _tally(results, lift)
            print(f"  {n:5}  {lift:+9.0%}  {coverage:8.1%}  {significant:11.1%}  {counted:6}")


def peeking(rng: np.random.Generator, runs: int, days: int = 30, daily: int = 200) -> None:
    print(f"A/A tests looked at daily for {days} days ({daily} users per arm a day, rate 10%):")
    z = 1.959963984540054
    rho2 = sequential.mixture_rho2(ALPHA, 2 * daily * days)
    fooled = {"always-valid": 0, "fixed-horizon": 0}
    for _ in range(runs):
        c = np.cumsum(rng.binomial(daily, 0.1, days))
        v = np.cumsum(rng.binomial(daily, 0.1, days))
        any_valid = any_fixed = False
        for day in range(days):
            users = daily * (day + 1)
            p_c, p_v = c[day] / users, v[day] / users
            var_c, var_v = p_c * (1 - p_c) / users, p_v * (1 - p_v) / users
            lift, (low, high), p = sequential.look(
                p_c, p_v, var_c, var_v, 2 * users, ALPHA, rho2, lowest=-1.0
            )
            clear = low is not None and high is not None and (low > 0 or high < 0)
            assert clear == (p is not None and p < ALPHA)  # the interval and its p-value agree
            any_valid = any_valid or clear
            if lift is not None and p_c > 0:
                se = math.hypot(math.sqrt(var_v), p_v / p_c * math.sqrt(var_c)) / p_c
                if se > 0 and abs(lift) > z * se:
                    any_fixed = True
        fooled["always-valid"] += any_valid
        fooled["fixed-horizon"] += any_fixed
    for name, count in fooled.items():
        print(f"  {name:14} a look declared a difference in {count / runs:5.1%} of tests")
    print("  target: at most 5% with the always-valid interval")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4000, help="simulated experiments each")
    args = parser.parse_args()
    rng = np.random.default_rng(20261201)
    proportions(rng, args.runs)
    means(rng, args.runs)
    peeking(rng, args.runs)


if __name__ == "__main__":
    main()
