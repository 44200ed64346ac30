"""A synthetic portal project of any size, so benchmarks can measure the portal at scale.

The experiments look like real ones where it matters for cost: the repo's teams and metric
catalog, every metric kind, 2-3 arms, chains of cycles, daily CSVs, tags, and ~450-word
write-ups in the build-test-learn frame. Everything comes from one seeded ``random.Random``
and the word lists below, so a seed always gives the same project, and every write-up is
valid (a benchmark that measured error pages would measure the wrong thing).

    python benchmarks/synthetic.py --n 100 --out /tmp/portal
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent

# What the portal and the plain floor (build_scale.py) share: the same look and Markdown.
SITE_YML = """\
site_name: Synthetic Experiments
site_url: !ENV [SITE_URL, "http://127.0.0.1:8000/"]
docs_dir: docs
theme:
  name: material
  language: en
  font: false
  features:
    - navigation.tabs
    - navigation.instant
    - navigation.top
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: brown
      accent: deep orange
      toggle: {icon: material/weather-night, name: Switch to dark mode}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: brown
      accent: deep orange
      toggle: {icon: material/weather-sunny, name: Switch to light mode}
markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
"""

MKDOCS_YML = f"""\
{SITE_YML}plugins:
  - kaizen-portal:
      experiments_dir: experiments
      site_config_dir: site_config
      data_dir: data
      pages_dir: experiments
nav:
  - Home: index.md
  - Experiments: experiments/index.md
"""


def _options(text: str) -> tuple[str, ...]:
    """Word lists are written as one "a|b|c" string: compact, and easy to extend."""
    return tuple(text.split("|"))


HOME = "# Synthetic experiments\n\nA generated portfolio for benchmarks.\n"

FIRST_NAMES = _options(
    "Ana|Ben|Chloe|Dev|Elif|Farah|Gus|Hana|Ivan|Jun|Kemi|Lars|Maya|Nils|Omar|Pia|Quinn|Rosa|"
    "Sami|Tara|Umar|Vera|Wes|Xin|Yara|Zoe"
)
LAST_NAMES = _options(
    "Ruiz|Okafor|Weber|Mensah|Carvalho|Tanaka|Natarajan|Finch|Lindqvist|Becker|Haddad|Novak|"
    "Silva|Kowalski|Dubois|Moreau|Ito|Park|Osei|Jensen|Rossi|Khan|Murphy|Schmidt"
)

CHANGES = _options(
    "Shorter|Simpler|Bolder|Personalised|Plain-text|Sticky|One-tap|Friendlier|Slower|Faster|"
    "Bundled|Seasonal|Illustrated|Localised|Quieter|Earlier|Later|Clearer|Fewer|Smarter"
)
THINGS = _options(
    "checkout form|subject line|welcome email|pricing table|signup flow|product photos|"
    "trial offer|call to action|brew guide|landing headline|order summary|shipping banner|"
    "review snippets|referral prompt|win-back email|tasting invite|follow-up call|quiz|"
    "cart reminder|delivery picker|gift option|first-box insert|search box|menu"
)
PLACES = _options(
    "on mobile|for new subscribers|in the app|at checkout|for wholesale leads|"
    "on product pages|in the first week|before the holidays|for lapsed customers|"
    "on the home page|after the first box|for cafés"
)
TAGS = _options(
    "checkout|forms|mobile|pricing|copy|design|onboarding|email|subject-lines|retention|"
    "trial|activation|wholesale|leads|calls|ads|targeting|creative|bidding|attribution|"
    "landing-page|headlines|photos|reviews|referrals|shipping|gifts|holiday|app|quiz|"
    "personalisation|segmentation|deliverability|plain-text|timing|discounts|bundles|"
    "search|navigation|speed|trust|accessibility"
)
VARIANT_ARMS = _options(
    "variant|new_copy|short_form|bold_cta|plain_text|sticky_bar|one_tap|quiz_first|"
    "bundle_offer|early_send|photo_grid|review_block"
)

SUBJECTS = _options(
    "New subscribers|Returning customers|Café owners|Trial users|Mobile visitors|"
    "The support team|Our analysts|Several readers|First-time buyers|Wholesale leads|"
    "People on slow connections|Long-time subscribers"
)
VERBS = _options(
    "hesitated at|skipped|asked about|clicked on|ignored|compared|returned to|"
    "complained about|lingered on|misread|praised|scrolled past"
)
OBJECTS = _options(
    "the shipping cost|the second step|the brew guide|the pricing table|the subject line|"
    "the order summary|the trial terms|the delivery date|the tasting notes|the grind options|"
    "the first email|the booking link"
)
CLAUSES = _options(
    "before the holiday rush|on small screens|when the page loaded slowly|"
    "in the first week|after the price change|during the summer sale|on weekday mornings|"
    "when the box arrived late|in every interview we ran|across all three regions|"
    "in the session recordings|in the support tickets"
)
LESSONS = _options(
    "small wording changes moved more than big redesigns|"
    "the first screen decides most of the outcome|"
    "people read optional fields and pay for them|"
    "a guardrail metric caught a cost we would have missed|"
    "the effect was larger on mobile than on desktop|"
    "three weeks were needed to see a full weekly cycle|"
    "the segment we expected to react did not|"
    "the support team noticed the change before the numbers did|"
    "the control arm was stronger than our memory of it|"
    "the novelty wore off after the first week"
)
NEXT_STEPS = _options(
    "rerun it with a larger sample|test the same idea on the app|"
    "combine it with the winning copy from the last cycle|roll it out and watch the guardrail|"
    "interview five customers before another cycle|try a bolder version|"
    "drop the idea and focus on the checkout|split the effect by region"
)

STATUS_WEIGHTS = {"concluded": 72, "running": 8, "abandoned": 6, "planned": 8, "idea": 6}
DESIGN_WEIGHTS = {"ab_test": 88, "before_after": 12}


@dataclass
class _Plan:
    """One experiment's facts before it is written out."""

    exp_id: str
    team: str
    owner: str
    status: str
    build: dt.date
    title: str
    tags: list[str]
    cycle: int = 1
    parent: str | None = None
    design: str = "ab_test"
    arms: list[str] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    dates: dict[str, dt.date] = field(default_factory=dict)
    decision: str | None = None
    lift: float = 0.0  # the simulated true lift of the primary metric
    data: str | None = None


def write_portfolio(project: Path, n: int, seed: int = 1) -> None:
    """A complete project in ``project``: config, mkdocs.yml, home page and n write-ups."""
    rng = random.Random(seed)
    project.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "site_config", project / "site_config", dirs_exist_ok=True)
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs" / "index.md").write_text(HOME, encoding="utf-8")
    for folder in ("experiments", "data"):
        (project / folder).mkdir(exist_ok=True)
    teams = list(_read_yaml(project / "site_config" / "teams.yml"))
    metrics = _read_yaml(project / "site_config" / "metrics.yml")
    owners = {team: _names(rng, 6) for team in teams}
    for index, plan in enumerate(_plans(rng, n, teams, owners)):
        _add_results(rng, plan, metrics, with_daily=index % 20 == 0)
        if plan.data:
            (project / plan.data).write_text(_daily_csv(rng, plan), encoding="utf-8")
        text = _front_matter(plan, metrics) + _body(rng, plan, metrics)
        (project / "experiments" / f"{plan.exp_id.lower()}.md").write_text(text, encoding="utf-8")


def _read_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _names(rng: random.Random, count: int) -> list[str]:
    return [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(count)]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _plans(
    rng: random.Random, n: int, teams: list[str], owners: dict[str, list[str]]
) -> list[_Plan]:
    """Experiments in build order over six years; a third continue an earlier cycle."""
    start = dt.date(2020, 1, 6)
    builds = sorted(start + dt.timedelta(days=rng.randrange(6 * 365)) for _ in range(n))
    per_year: dict[int, int] = {}
    finished: dict[str, list[_Plan]] = {team: [] for team in teams}
    plans = []
    for build in builds:
        per_year[build.year] = per_year.get(build.year, 0) + 1
        exp_id = f"EXP-{build.year}-{per_year[build.year]:04d}"
        team = rng.choice(teams)
        earlier = [p for p in finished[team][-12:] if p.dates["end"] < build]
        if earlier and rng.random() < 0.36:
            parent = rng.choice(earlier)
            base = parent.title.split(", cycle ")[0]
            plan = _Plan(
                exp_id,
                team,
                parent.owner if rng.random() < 0.7 else rng.choice(owners[team]),
                _weighted(rng, STATUS_WEIGHTS),
                build,
                f"{base}, cycle {parent.cycle + 1}: {_idea(rng).lower()}",
                parent.tags[:2] + rng.sample(TAGS, rng.randint(0, 2)),
                parent.cycle + 1,
                parent.exp_id,
            )
        else:
            plan = _Plan(
                exp_id,
                team,
                rng.choice(owners[team]),
                _weighted(rng, STATUS_WEIGHTS),
                build,
                _idea(rng),
                rng.sample(TAGS, rng.randint(1, 4)),
            )
        plan.tags = list(dict.fromkeys(plan.tags))
        plan.dates = _dates(rng, plan.status, build)
        if plan.status == "concluded":
            finished[team].append(plan)
        plans.append(plan)
    return plans


def _idea(rng: random.Random) -> str:
    place = rng.choice(PLACES) if rng.random() < 0.7 else ""
    return f"{rng.choice(CHANGES)} {rng.choice(THINGS)} {place}".strip()


PHASES_REACHED = {"idea": 0, "planned": 1, "running": 2, "abandoned": 2, "concluded": 4}


def _dates(rng: random.Random, status: str, build: dt.date) -> dict[str, dt.date]:
    """The phases a status has reached, in order, so the timeline never shows half a cycle."""
    test = build + dt.timedelta(days=rng.randint(3, 21))
    learn = test + dt.timedelta(days=rng.randint(14, 42))
    end = learn + dt.timedelta(days=rng.randint(1, 10))
    dates = {"build": build, "test": test, "learn": learn, "end": end}
    return {phase: dates[phase] for phase in list(dates)[: PHASES_REACHED[status]]}


def _add_results(
    rng: random.Random, plan: _Plan, catalog: dict[str, Any], with_daily: bool
) -> None:
    """Arms, metric numbers and a decision that follows from them; a daily CSV if asked."""
    if plan.status in {"idea", "planned"} or (plan.status != "concluded" and rng.random() < 0.4):
        return
    proportions = [name for name, spec in catalog.items() if spec["kind"] == "proportion"]
    if with_daily:
        plan.design = "ab_test"  # the daily series describes a randomized primary
        primary = rng.choice(proportions)
    else:
        plan.design = _weighted(rng, DESIGN_WEIGHTS)
        primary = rng.choice(list(catalog))
    if plan.design == "before_after":
        plan.arms = ["before", "after"]
        primary = rng.choice(proportions)  # a pilot compares plain rates
    else:
        variants = rng.sample(VARIANT_ARMS, 2 if rng.random() < 0.2 else 1)
        plan.arms = ["control", *variants]
    secondary = rng.sample([m for m in catalog if m != primary], rng.randint(0, 2))
    if plan.design == "before_after":
        secondary = [m for m in secondary if catalog[m]["kind"] != "precomputed"]
    plan.lift = rng.gauss(0.0, 0.06) if rng.random() < 0.75 else rng.gauss(0.0, 0.2)
    users = rng.randint(2_000, 60_000)
    for position, name in enumerate([primary, *secondary]):
        lift = plan.lift if position == 0 else rng.gauss(0.0, 0.03)
        results = {
            arm: _arm_numbers(rng, catalog[name], users, lift, arm == plan.arms[0])
            for arm in plan.arms
        }
        plan.metrics.append({"name": name, "primary": position == 0, "results": results})
    if plan.status == "concluded":
        plan.decision = _decision(rng, plan.lift, catalog[primary]["direction"])
    if with_daily:
        plan.data = f"data/{plan.exp_id.lower()}.csv"


def _arm_numbers(
    rng: random.Random, spec: dict[str, Any], users: int, lift: float, control: bool
) -> dict[str, Any]:
    effect = 1.0 if control else max(0.05, 1.0 + lift)
    if spec["kind"] == "proportion":
        arm_users = max(1, round(users + rng.gauss(0, math.sqrt(users))))
        rate = min(0.95, _base_rate(spec) * effect)
        noise = rng.gauss(0, math.sqrt(arm_users * rate * (1 - rate)))
        return {
            "users": arm_users,
            "conversions": min(arm_users, max(0, round(arm_users * rate + noise))),
        }
    if spec["kind"] == "mean":
        n = max(2, users // rng.randint(3, 12))
        base = 38.0 if spec.get("unit") == "$" else 95.0
        sd = base * 0.4
        mean = base * effect + rng.gauss(0, sd / math.sqrt(n))
        return {"n": n, "mean": round(mean, 2), "sd": round(sd * rng.uniform(0.9, 1.1), 2)}
    value = 3.2 if spec.get("unit") == "x" else 24.0
    if control:
        return {"value": value}
    spread = rng.uniform(0.03, 0.12)
    low, high = lift - spread, lift + spread
    p_value = 0.001 if low > 0 or high < 0 else round(rng.uniform(0.06, 0.9), 3)
    return {
        "value": round(value * effect, 3),
        "lift": round(lift, 4),
        "ci_low": round(low, 4),
        "ci_high": round(high, 4),
        "p_value": p_value,
    }


def _base_rate(spec: dict[str, Any]) -> float:
    """One level per metric: rates we want lower (unsubscribes) are rare, the others common."""
    level = random.Random(spec["label"])
    return level.uniform(0.01, 0.05) if spec["direction"] == "lower" else level.uniform(0.05, 0.6)


def _decision(rng: random.Random, lift: float, direction: str) -> str:
    good = lift if direction == "higher" else -lift
    if good > 0.03:
        return rng.choices(["ship", "iterate"], [85, 15])[0]
    if good < -0.03:
        return rng.choices(["rollback", "iterate"], [80, 20])[0]
    return rng.choices(["inconclusive", "iterate", "ship"], [45, 40, 15])[0]


def _daily_csv(rng: random.Random, plan: _Plan) -> str:
    """The primary proportion's rows per day and arm, summing exactly to the write-up's
    totals, as the portal checks."""
    test = plan.dates["test"]
    days = (plan.dates.get("learn", test + dt.timedelta(days=21)) - test).days
    results = plan.metrics[0]["results"]
    lines = ["date,arm,users,conversions"]
    users = {arm: _split(rng, results[arm]["users"], [1] * days, floor=1) for arm in plan.arms}
    conversions = {
        arm: _split(rng, results[arm]["conversions"], users[arm], floor=0) for arm in plan.arms
    }
    for day in range(days):
        date = (test + dt.timedelta(days=day)).isoformat()
        for arm in plan.arms:
            lines.append(f"{date},{arm},{users[arm][day]},{conversions[arm][day]}")
    return "\n".join(lines) + "\n"


def _split(rng: random.Random, total: int, room: list[int], floor: int) -> list[int]:
    """``total`` over len(room) days in noisy shares, each at least ``floor`` and, when room
    is a day's users, at most that; the parts add up to ``total`` exactly."""
    weights = [max(1, r) * rng.uniform(0.7, 1.3) for r in room]
    scale = total / sum(weights)
    cap = [r if floor == 0 else total for r in room]
    if not floor * len(room) <= total <= sum(cap):
        raise ValueError(f"{total} does not fit {len(room)} days")
    parts = [min(c, max(floor, round(w * scale))) for w, c in zip(weights, cap, strict=True)]
    step = 1 if sum(parts) < total else -1
    while sum(parts) != total:  # nudge random days within their bounds
        day = rng.randrange(len(parts))
        if floor <= parts[day] + step <= cap[day]:
            parts[day] += step
    return parts


def _front_matter(plan: _Plan, catalog: dict[str, Any]) -> str:
    primary = plan.metrics[0]["name"] if plan.metrics else None
    label = catalog[primary]["label"].lower() if primary else "the outcome we care about"
    data: dict[str, Any] = {
        "id": plan.exp_id,
        "title": plan.title,
        "status": plan.status,
        "decision": plan.decision,
        "owner": plan.owner,
        "team": plan.team,
        "tags": plan.tags,
        "hypothesis": f"{plan.title.split(': ')[-1].capitalize()} raises {label}.",
        "design": plan.design,
        "parent": plan.parent,
        "dates": {phase: day.isoformat() for phase, day in plan.dates.items()} or None,
        "arms": plan.arms or None,
        "metrics": plan.metrics or None,
        "data": plan.data,
        "visibility": "internal" if plan.exp_id.endswith("7") else "public",
    }
    dumped = yaml.safe_dump({k: v for k, v in data.items() if v is not None}, sort_keys=False)
    return f"---\n{dumped}---\n\n"


def _body(rng: random.Random, plan: _Plan, catalog: dict[str, Any]) -> str:
    """About 450 words under the headings every write-up uses."""

    def sentence() -> str:
        return (
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(CLAUSES)}, and {rng.choice(SUBJECTS).lower()} "
            f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}."
        )

    def paragraph(count: int) -> str:
        return " ".join(sentence() for _ in range(count))

    if plan.metrics:
        label = catalog[plan.metrics[0]["name"]]["label"]
        results = (
            f"{label} moved by about {plan.lift * 100:+.1f}% relative to the control. "
            + paragraph(4)
        )
    else:
        results = "No numbers yet. " + paragraph(2)
    lessons = "\n".join(f"- We learned that {lesson}." for lesson in rng.sample(LESSONS, 3))
    sections = {
        "Background": paragraph(6),
        "Hypothesis": f"{plan.title} should help. " + paragraph(2),
        "Design": f"Arms: {', '.join(plan.arms) or 'none yet'}. " + paragraph(4),
        "Results": results,
        "Learnings": lessons + "\n\n" + paragraph(2),
        "Next cycle": f"Next we will {rng.choice(NEXT_STEPS)}. " + paragraph(1),
    }
    return "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections.items()) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="how many experiments")
    parser.add_argument("--out", type=Path, required=True, help="the project folder to write")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_portfolio(args.out, args.n, args.seed)
    print(f"wrote {args.n} experiments to {args.out}")


if __name__ == "__main__":
    main()
