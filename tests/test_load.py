"""The loader: valid files become entries; every broken one names file, line and field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from kaizen_portal.analysis.trends import daily_frame
from kaizen_portal.build.loading import load_portfolio
from kaizen_portal.inputs.vocabulary import Design, Status

from helpers import VALID, front_matter, make_project, write


def load(project: Path):
    return load_portfolio(project)


def errors(project: Path) -> list[str]:
    return [p.format() for p in load(project).problems]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def test_valid_file_becomes_an_entry_with_typed_fields(project: Path) -> None:
    write(project, "exp-2099-001.md", front_matter(VALID))
    portfolio = load(project)
    assert portfolio.problems == ()
    (entry,) = portfolio.entries
    assert entry.meta.status is Status.CONCLUDED
    assert entry.meta.design is Design.AB_TEST
    assert entry.meta.dates.test.isoformat() == "2099-03-10"
    assert entry.meta.primary_metric.name == "checkout_completion"
    assert entry.body.startswith("## Background")
    assert entry.path == "experiments/exp-2099-001.md"


def test_every_sample_experiment_is_valid() -> None:
    root = Path(__file__).resolve().parent.parent
    portfolio = load(root)
    assert [p.format() for p in portfolio.problems] == []
    assert len(portfolio.entries) == portfolio.files_seen >= 15


def test_unknown_enum_value_names_line_expected_found_and_hint(project: Path) -> None:
    write(project, "a.md", front_matter(variant(decision="shipp")))
    assert errors(project) == [
        "experiments/a.md:5:1: decision: wrong value (expected one of 'ship', 'iterate', "
        "'rollback' or 'inconclusive', found 'shipp'). Hint: did you mean 'ship'?"
    ]


def test_unknown_field_suggests_the_known_one(project: Path) -> None:
    data = variant()
    data["hypotesis"] = data.pop("hypothesis")
    text = front_matter(data)
    write(project, "a.md", text)
    assert errors(project)[0] == (
        f"experiments/a.md:{line_of(text, 'hypotesis:')}:1: hypotesis: unknown field (expected a known field, "
        "found 'hypotesis'). Hint: did you mean 'hypothesis'?"
    )


def test_missing_required_field(project: Path) -> None:
    write(project, "a.md", front_matter(variant(owner=None)))
    assert errors(project) == [
        "experiments/a.md:2:1: owner: required field is missing "
        "(expected a value, found nothing). Hint: add 'owner:'"
    ]


def test_conversions_above_users_points_at_the_arm(project: Path) -> None:
    data = variant()
    data["metrics"][0]["results"]["control"] = {"users": 100, "conversions": 812}
    write(project, "a.md", front_matter(data))
    (message,) = errors(project)
    assert message.startswith("experiments/a.md:24:")
    assert "metrics[0].results.control: conversions (812) exceed users (100)" in message


def test_negative_sd_names_the_nested_field(project: Path) -> None:
    data = variant()
    data["metrics"][1]["results"]["control"]["sd"] = -1
    write(project, "a.md", front_matter(data))
    (message,) = errors(project)
    assert "metrics[1].results.control.sd: wrong value (expected a number ≥ 0" in message
    assert "found -1" in message


def test_rules_beyond_types_are_all_reported_at_once(project: Path) -> None:
    data = variant(team="Webb", status="running")
    data["dates"] = {"build": "2099-03-10", "test": "2099-03-01"}
    data["metrics"][0]["name"] = "checkout_completon"
    del data["metrics"][1]["results"]["short_form"]
    write(project, "a.md", front_matter(data))
    found = errors(project)
    assert any(
        "decision: a decision is only given once the experiment is concluded" in e for e in found
    )
    assert any("dates.test: the 'test' date comes before the 'build' date" in e for e in found)
    assert any("team: unknown team" in e and "did you mean 'Web'?" in e for e in found)
    assert any(
        "metrics[0].name: unknown metric" in e and "did you mean 'checkout_completion'?" in e
        for e in found
    )
    assert any("metrics[1].results: no results for arm 'short_form'" in e for e in found)
    assert len(found) == 5


EVERY_LAYER = """---
id: EXP-2026-050
title: Every layer at once
status: concluded
decision: ship
owner: Ana Ruiz
team: Webb
tags: [Checkout]
hypothesis: Fewer fields finish more checkouts.
parent: EXP-2026-099
dates: {build: 2026-03-01, test: 2026-03-40, learn: 2026-03-31, end: 2026-04-04}
arms: [control, short_form]
data: data/x.csv
metrics:
  - name: checkout_completon
    primary: true
    results:
      control: {users: 1000, conversions: 81}
      short_form: {users: 1000, conversions: 90}
  - name: order_value
    resluts:
      control: {n: 81, mean: 54.2, sd: 20}
      short_form: {n: 90, mean: 53.8, sd: 21.0}
  - name: email_open_rate
    results:
      control: {users: 1000, conversions: 81}
      short_from: {users: 1000, conversions: 90}
---

## Background

%s
"""


def test_every_problem_of_a_file_comes_in_one_pass(project: Path) -> None:
    # A problem of each layer in one file: the YAML (a date that does not exist), the
    # schema (a tag, an unknown field), the rules on what the schema left (team, metric
    # names, arms), the text (nesting) and the rules across files (the parent). None of
    # them hides another, and a metric the schema refused leaves the others checked.
    write(project, "a.md", EVERY_LAYER % ("- " * 60 + "deep"))
    assert errors(project) == [
        "experiments/a.md:7:1: team: unknown team (expected a team from"
        " site_config/teams.yml, found 'Webb'). Hint: did you mean 'Web'?",
        "experiments/a.md:8:8: tags[0]: wrong value (expected a lowercase tag of letters,"
        " digits and '-' (e.g. subject-lines), found 'Checkout')",
        "experiments/a.md:10:1: parent: the parent experiment does not exist (expected the"
        " id of an experiment in the experiments folder, found 'EXP-2026-099'). Hint: check"
        " the id in the previous cycle's file",
        "experiments/a.md:11:28: dates.test: no such date (expected a date like 2025-03-10,"
        " found '2026-03-40'). Hint: check the month and the day",
        "experiments/a.md:15:5: metrics[0].name: unknown metric (expected a metric from"
        " site_config/metrics.yml, found 'checkout_completon'). Hint: did you mean"
        " 'checkout_completion'?",
        "experiments/a.md:21:5: metrics[1].resluts: unknown field (expected a known field,"
        " found 'resluts'). Hint: did you mean 'results'?",
        "experiments/a.md:25:5: metrics[2].results: no results for arm 'short_form'"
        " (expected results for every arm in 'arms', found nothing). Hint: add 'short_form:'"
        " under results",
        "experiments/a.md:27:7: metrics[2].results.short_from: this arm is not in the"
        " experiment's 'arms' list (expected one of control, short_form, found"
        " 'short_from'). Hint: did you mean 'short_form'?",
        "experiments/a.md:32:1: this line sits too deep in lists, quotes or indentation to"
        " render (expected at most 50 levels, found 60 levels). Hint: flatten the list, or"
        " put deep structure in a table",
    ]


def test_a_data_file_is_read_beside_the_write_up_s_own_problems(project: Path) -> None:
    text = EVERY_LAYER.replace("checkout_completon", "checkout_completion") % ""
    write(project, "a.md", text)
    (project / "data" / "x.csv").write_text(
        "date,arm,users,conversions\n2026-03-16,control,100,10\n2026-03-16,short_form,100,200\n",
        encoding="utf-8",
    )
    found = errors(project)
    assert any(line.startswith("experiments/a.md:7:1: team: unknown team") for line in found)
    assert any(
        line.startswith(
            "experiments/a.md:13:1: data: the data file has 1 problem, listed under its own name"
        )
        and line.endswith("Hint: fix data/x.csv too")
        for line in found
    )
    assert any(line.startswith("data/x.csv:3:") for line in found)


def test_a_misspelt_field_is_one_problem_not_also_a_missing_one(project: Path) -> None:
    data = variant(title=None)
    data["titel"] = "Shorter checkout form"
    text = front_matter(data)
    write(project, "a.md", text)
    assert errors(project) == [
        f"experiments/a.md:{line_of(text, 'titel:')}:1: titel: unknown field (expected a known"
        " field, found 'titel'). Hint: did you mean 'title'?"
    ]


def test_metric_kind_must_match_the_catalog(project: Path) -> None:
    data = variant()
    data["metrics"][1]["results"] = copy.deepcopy(data["metrics"][0]["results"])
    write(project, "a.md", front_matter(data))
    control, variant_arm = errors(project)
    assert "metrics[1].results.control: 'order_value' is a mean metric" in control
    assert "(expected n, mean and sd, found users and conversions)" in control
    assert "metrics[1].results.short_form: 'order_value' is a mean metric" in variant_arm


@pytest.mark.parametrize("flagged", [True, None])
def test_the_primary_metric_cannot_be_a_guardrail(project: Path, flagged: bool | None) -> None:
    # Flagged primary, or primary because it is listed first: either way it is the one
    # the experiment is judged by, not one watched beside it.
    data = variant()
    data["metrics"][0]["guardrail"] = True
    if flagged is None:
        del data["metrics"][0]["primary"]
    text = front_matter(data)
    write(project, "a.md", text)
    (message,) = errors(project)
    line = line_of(text, "guardrail: true")
    assert message == (
        f"experiments/a.md:{line}:3: metrics[0].guardrail: the primary metric cannot also be a"
        " guardrail. Hint: a guardrail watches for harm beside the primary metric: mark"
        " another metric `primary: true`, or drop `guardrail`"
    )


def test_concluded_needs_a_decision(project: Path) -> None:
    write(project, "a.md", front_matter(variant(decision=None)))
    (message,) = errors(project)
    assert "decision: a concluded experiment needs its decision" in message


def test_file_without_front_matter(project: Path) -> None:
    write(project, "a.md", "Just some notes\n")
    assert errors(project) == [
        "experiments/a.md:1:1: no front-matter found (expected the file to start with a "
        "'---' line, the YAML facts, and a closing '---', found 'Just some notes'). "
        "Hint: copy the template from the authoring guide"
    ]


def test_unclosed_quote_points_at_where_it_opened(project: Path) -> None:
    write(project, "a.md", '---\nid: EXP-1\ntitle: "Shorter form\nstatus: idea\n---\nbody\n')
    (message,) = errors(project)
    assert message.startswith("experiments/a.md:3:8: the YAML cannot be read")
    assert "quoted scalar" in message


def test_tabs_in_yaml_get_an_indentation_hint(project: Path) -> None:
    write(project, "a.md", "---\nid: EXP-1\ndates:\n\tbuild: 2025-01-01\n---\n")
    (message,) = errors(project)
    assert message.startswith("experiments/a.md:4:")
    assert "Hint: indent with spaces, not tabs" in message


def test_yaml_aliases_are_refused(project: Path) -> None:
    write(project, "a.md", "---\nid: &x EXP-1\ntitle: *x\n---\n")
    (message,) = errors(project)
    assert message == (
        "experiments/a.md:3:1: YAML anchors and aliases (&name, *name) are not allowed. "
        "Hint: write the value out in full"
    )


def test_duplicate_keys_are_refused(project: Path) -> None:
    write(project, "a.md", "---\nid: EXP-1\nid: EXP-2\n---\n")
    (message,) = errors(project)
    assert message.startswith("experiments/a.md:3:1: id: this field is given twice")


def test_non_utf8_bytes(project: Path) -> None:
    write(project, "a.md", b"---\nid: EXP-1\ntitle: caf\xe9\n---\n")
    (message,) = errors(project)
    assert message.startswith("experiments/a.md:3:1: the file is not valid UTF-8 text")
    assert "found byte 0xe9" in message


def test_duplicate_ids_keep_the_first_file(project: Path) -> None:
    write(project, "a.md", front_matter(VALID))
    write(project, "b.md", front_matter(variant(id="exp-2099-001")))
    portfolio = load(project)
    assert [e.path for e in portfolio.entries] == ["experiments/a.md"]
    (message,) = [p.format() for p in portfolio.problems]
    assert message.startswith(
        "experiments/b.md:2:1: id: this id is already used by experiments/a.md"
    )


def test_missing_parent_and_lineage_loop(project: Path) -> None:
    write(project, "a.md", front_matter(variant(id="EXP-1", parent="EXP-9")))
    write(project, "b.md", front_matter(variant(id="EXP-2", parent="EXP-3")))
    write(project, "c.md", front_matter(variant(id="EXP-3", parent="EXP-2")))
    write(project, "d.md", front_matter(variant(id="EXP-4", parent="EXP-4")))
    found = errors(project)
    assert any(
        e.startswith("experiments/a.md:") and "the parent experiment does not exist" in e
        for e in found
    )
    assert sum("the parents form a loop: EXP-2 → EXP-3 → EXP-2" in e for e in found) == 2
    assert any(e.startswith("experiments/d.md:") and "cannot be its own parent" in e for e in found)
    assert load(project).entries == ()


def test_a_child_of_a_broken_parent_stays_published(project: Path) -> None:
    write(project, "a.md", front_matter(variant(id="EXP-1", owner=None)))
    write(project, "b.md", front_matter(variant(id="EXP-2", parent="EXP-1")))
    portfolio = load(project)
    assert [e.meta.id for e in portfolio.entries] == ["EXP-2"]
    assert portfolio.broken_paths == ["experiments/a.md"]


def test_nothing_is_dropped_silently(project: Path) -> None:
    write(project, "good.md", front_matter(VALID))
    write(project, "notes.txt", "not an experiment")
    write(project, ".gitkeep", "")
    portfolio = load(project)
    assert portfolio.files_seen == 2
    assert len(portfolio.entries) + len(portfolio.broken_paths) == portfolio.files_seen
    assert (
        portfolio.problems[0]
        .format()
        .startswith(
            "experiments/notes.txt:1:1: not an experiment write-up (expected a Markdown file ending in .md"
        )
    )


def test_missing_metric_catalog_is_an_error(project: Path) -> None:
    (project / "site_config" / "metrics.yml").unlink()
    assert errors(project)[0].startswith("site_config/metrics.yml:1:1: the file is missing")


def test_bad_catalog_entry_names_its_line(project: Path) -> None:
    (project / "site_config" / "metrics.yml").write_text(
        "signups:\n  label: Signups\n  kind: proportoin\n", encoding="utf-8"
    )
    (message,) = errors(project)
    assert message.startswith("site_config/metrics.yml:3:3: kind: wrong value")
    assert "did you mean 'proportion'?" in message


def test_a_mean_needs_two_observations(project: Path) -> None:
    data = variant()
    data["metrics"][1]["results"]["control"]["n"] = 1
    write(project, "a.md", front_matter(data))
    (message,) = errors(project)
    assert "metrics[1].results.control.n: wrong value (expected a number ≥ 2, found 1)" in message


def test_a_bad_daily_csv_keeps_the_write_up_off_and_names_both_files(project: Path) -> None:
    text = front_matter(variant(data="data/daily.csv"))
    write(project, "a.md", text)
    (project / "data" / "daily.csv").write_text(
        "date,arm,users,conversions\n2099-03-10,control,100,20\n2099-03-10,contrl,100,20\n"
        "2099-03-11,short_form,50,60\n",
        encoding="utf-8",
    )
    portfolio = load(project)
    assert portfolio.entries == ()
    assert [p.format() for p in portfolio.problems] == [
        "data/daily.csv:3:12: arm: unknown arm (expected one of 'control', 'short_form', "
        "found 'contrl'). Hint: did you mean 'control'?",
        "data/daily.csv:4:26: conversions: more conversions than users (expected at most 50 "
        "conversions, found 60 conversions of 50 users). Hint: a rate cannot be above 100%; "
        "check that the columns are not swapped",
        f"experiments/a.md:{line_of(text, 'data:')}:1: data: the data file has 2 problems, "
        "listed under its own name. Hint: fix data/daily.csv; the write-up itself is fine",
    ]
    assert portfolio.broken_paths == ["data/daily.csv", "experiments/a.md"]


def test_daily_columns_must_fit_the_primary_metric(project: Path) -> None:
    write(project, "a.md", front_matter(variant(data="data/daily.csv")))
    (project / "data" / "daily.csv").write_text(
        "date,arm,n,mean,sd\n2099-03-10,control,10,5.0,1.0\n2099-03-10,short_form,10,5.5,1.0\n",
        encoding="utf-8",
    )
    messages = errors(project)
    assert messages[0] == (
        "data/daily.csv:1:1: the columns do not fit the primary metric checkout_completion, "
        "a proportion (expected the columns date, arm, users, conversions, found the columns "
        "of a mean). Hint: daily rows describe the primary metric; change the columns or the "
        "primary"
    )
    assert messages[1].startswith("experiments/a.md:")


def test_a_valid_daily_csv_rides_along_with_its_entry(project: Path) -> None:
    data = variant(data="data/daily.csv")
    data["metrics"][0]["results"] = {
        "control": {"users": 100, "conversions": 20},
        "short_form": {"users": 90, "conversions": 30},
    }
    write(project, "a.md", front_matter(data))
    (project / "data" / "daily.csv").write_text(
        "date,arm,users,conversions\n2099-03-10,control,100,20\n2099-03-10,short_form,90,30\n",
        encoding="utf-8",
    )
    (entry,) = load(project).entries
    assert entry.daily is not None
    assert daily_frame(entry.daily)["conversions"].tolist() == [20, 30]


def test_a_missing_parent_is_never_corrected_to_the_file_itself(project: Path) -> None:
    write(project, "a.md", front_matter(variant(id="EXP-2099-004", parent="EXP-2099-003")))
    (message,) = errors(project)
    assert "did you mean 'EXP-2099-004'" not in message


def test_a_data_file_waits_for_arms_the_schema_refused(project: Path) -> None:
    # The rows are read against the arms; with the arms set aside, the file would only be
    # told that the write-up has none, which is not the problem.
    data = variant(arms=["Control", "short form"], data="data/x.csv")
    write(project, "a.md", front_matter(data))
    (project / "data" / "x.csv").write_text(
        "date,arm,users,conversions\n2099-03-10,control,100,10\n", encoding="utf-8"
    )
    found = errors(project)
    assert found and all("arms[" in line for line in found), found


def test_a_daily_file_must_add_up_to_the_results_it_rides_with(project: Path) -> None:
    data = variant(data="data/daily.csv")
    data["metrics"][0]["results"] = {
        "control": {"users": 100, "conversions": 20},
        "short_form": {"users": 90, "conversions": 31},
    }
    text = front_matter(data)
    write(project, "a.md", text)
    (project / "data" / "daily.csv").write_text(
        "date,arm,users,conversions\n2099-03-10,control,60,12\n2099-03-10,short_form,50,20\n"
        "2099-03-11,control,40,8\n2099-03-11,short_form,40,10\n",
        encoding="utf-8",
    )
    line = line_of(text, "    short_form:")
    assert errors(project) == [
        f"experiments/a.md:{line}:5: metrics[0].results.short_form: the results do not match"
        " the totals of data/daily.csv (expected users 90 and conversions 30, as the file sums"
        " them, found users 90 and conversions 31). Hint: fill them from the file: kaizen"
        " results EXP-2099-001 data/daily.csv"
    ]


@pytest.mark.parametrize(("written", "agrees"), [(42.3, True), (42.30, True), (42.4, False)])
def test_a_mean_agrees_with_its_daily_file_to_the_decimals_written(
    project: Path, written: float, agrees: bool
) -> None:
    # Two days of n 10 at 42.0 and 42.6 pool to exactly 42.3; 42.4 is off by a written unit.
    data = variant(data="data/daily.csv")
    data["metrics"] = [
        {
            "name": "order_value",
            "primary": True,
            "results": {
                "control": {"n": 20, "mean": written, "sd": 5.0},
                "short_form": {"n": 20, "mean": 42.3, "sd": 5.0},
            },
        }
    ]
    write(project, "a.md", front_matter(data))
    rows = [
        (day, arm, mean)
        for day in ("10", "11")
        for arm in ("control", "short_form")
        for mean in [42.0 if day == "10" else 42.6]
    ]
    sd = (5.0**2 * 19 - 2 * 10 * 0.3**2) / 18  # each day's sd so the pool is 5.0
    body = "".join(f"2099-03-{d},{a},10,{m},{sd**0.5!r}\n" for d, a, m in rows)
    (project / "data" / "daily.csv").write_text("date,arm,n,mean,sd\n" + body, encoding="utf-8")
    found = errors(project)
    assert (found == []) is agrees, found


@pytest.mark.parametrize("written", [0b0000, 0b0001, 0b0110, 0b1010, 0b1001, 0b1111, 0b0100])
def test_a_cycle_s_first_and_latest_dates_are_its_first_and_last_dated_phases(
    written: int,
) -> None:
    import datetime as dt

    from kaizen_portal.inputs.schema import Phases
    from kaizen_portal.inputs.vocabulary import Phase

    days = {
        phase.value: dt.date(2025, 1, 1) + dt.timedelta(days=7 * i)
        for i, phase in enumerate(Phase)
        if written >> i & 1
    }
    phases = Phases(**days)
    dated = [day for _, day in phases.dated()]
    assert phases.first == (dated[0] if dated else None)
    assert phases.latest == (dated[-1] if dated else None)
