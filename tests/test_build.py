"""Real `mkdocs build` runs: the sample site, and what a broken write-up does to a build."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import frontmatter
import markupsafe
import pytest

from helpers import ROOT, VALID, front_matter, make_project, mkdocs_build, write

# Drafts are for the live preview only; every other sample must be published.
SAMPLES = [
    p
    for p in sorted((ROOT / "experiments").glob("*.md"))
    if frontmatter.load(p).get("visibility") != "draft"
]


def read(site: Path, uri: str) -> str:
    return (site / uri).read_text(encoding="utf-8")


def test_every_sample_experiment_gets_a_page(sample_site: Path) -> None:
    assert len(SAMPLES) >= 15
    for source in SAMPLES:
        assert (sample_site / "experiments" / source.stem / "index.html").is_file(), source.name


def test_experiment_page_has_card_results_and_write_up(sample_site: Path) -> None:
    page = read(sample_site, "experiments/exp-2025-001/index.html")
    card = page[page.index('<div class="kz-card"') : page.index("</dl>")]
    assert "Sunset policy for subscribers inactive for 12 months" in card
    assert "kz-status-concluded" in card and "kz-decision-ship" in card
    assert "Priya Natarajan" in card and "Email &amp; CRM" in card
    assert "Sending one win-back email" in card  # the hypothesis
    assert "3 Feb 2025" in page and "8 Apr 2025" in page  # test and decide dates
    assert '<a class="md-tag" href="../../tags/list-hygiene/">list-hygiene</a>' in page
    assert '<a href="../../teams/email-crm/">Email &amp; CRM</a>' in card
    assert '<a href="../../people/priya-natarajan/">Priya Natarajan</a>' in card
    results = page[page.index('<table class="kz-results">') : page.index("</table>")]
    assert "1,041 / 44,210" in results and "1,079 / 44,190" in results
    assert results.count('data-kz-metric="') == 3
    assert '<h2 id="background">Background' in page  # the write-up follows


def test_cycles_link_previous_and_next(sample_site: Path) -> None:
    page = read(sample_site, "experiments/exp-2025-011/index.html")
    assert re.search(r'href="\.\./exp-2025-003/" rel="prev"', page)
    assert re.search(r'href="\.\./exp-2026-004/" rel="next"', page)
    chain = re.findall(r"Cycle (\d)</span>", page)
    assert chain == ["1", "2", "3", "4"]
    assert 'kz-cycle kz-cycle--current" style="--kz-depth: 1"' in page


def test_experiment_pages_stay_out_of_the_navigation(sample_site: Path) -> None:
    home = read(sample_site, "index.html")
    start = home.index('<nav class="md-nav md-nav--primary')
    nav = home[start : home.index('<nav class="md-nav md-nav--secondary"')]
    assert 'href="experiments/"' in nav  # the index is in the nav...
    assert "exp-20" not in nav  # ...the experiment pages are not
    index = read(sample_site, "experiments/index.html")
    for source in SAMPLES:
        assert f'href="{source.stem}/"' in index, source.name


@pytest.mark.site
def test_a_broken_write_up_fails_strict_and_is_listed_otherwise(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, "good.md", front_matter(VALID))
    bad = dict(VALID, id="EXP-2099-002", status="finished")
    write(project, "bad.md", front_matter(bad))

    strict = mkdocs_build(project, tmp_path / "strict", strict=True)
    assert strict.returncode != 0
    assert "experiments/bad.md:4:1: status: wrong value" in strict.stderr

    loose = mkdocs_build(project, tmp_path / "site", strict=False)
    assert loose.returncode == 0, loose.stderr
    assert "ERROR" in loose.stderr and "experiments/bad.md:4:1" in loose.stderr
    site = tmp_path / "site"
    assert (site / "experiments" / "exp-2099-001" / "index.html").is_file()
    attention = read(site, "experiments/needs-attention/index.html")
    assert "experiments/bad.md:4:1" in attention and "found &#39;finished&#39;" in attention
    assert "needs-attention/" in read(site, "experiments/index.html")


@pytest.mark.site
def test_author_strings_are_escaped(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    title = '</title><script>alert("x")</script> & co'
    write(project, "a.md", front_matter(dict(VALID, title=title, owner="<b>Ana</b>")))
    result = mkdocs_build(project, tmp_path / "site", strict=True)
    assert result.returncode == 0, result.stderr
    page = read(tmp_path / "site", "experiments/exp-2099-001/index.html")
    assert "<script>alert" not in page
    escaped = str(markupsafe.escape(title))
    assert f'<h1 class="kz-card__title">{escaped}</h1>' in page
    assert f"<title>{escaped} - " in page
    assert "&lt;b&gt;Ana&lt;/b&gt;" in page


def test_export_lists_facts_and_results_per_arm(sample_site: Path) -> None:
    document = json.loads(read(sample_site, "experiments.json"))
    assert document["schema_version"] == 2
    by_id = {e["id"]: e for e in document["experiments"]}
    abn = by_id["EXP-2025-011"]
    assert [r["arm"] for r in abn["results"] if r["primary"]] == ["roaster_name", "brew_tip"]
    row = abn["results"][1]
    for key in (
        "metric",
        "arm",
        "control_value",
        "variant_value",
        "lift",
        "ci_low",
        "ci_high",
        "p_value",
        "p_adjusted",
        "state",
        "state_note",
        "verdict",
    ):
        assert key in row
    assert row["control_value"] == 124 / 3362  # the rate, computed from the raw counts
    assert row["p_adjusted"] >= row["p_value"]
    assert abn["url"] == "experiments/exp-2025-011/"
    broken = by_id["EXP-2026-006"]
    assert broken["srm"] is True and broken["srm_p_value"] < 0.001
    # Its test read as a win; the export, like every page, says it is not a valid result.
    assert broken["state"] == "invalid"
    assert {r["state"] for r in broken["results"]} == {"invalid"}
    assert {r["verdict"] for r in broken["results"]} == {None}
    assert by_id["EXP-2026-020"]["state"] == "interim"
    pilot = by_id["EXP-2025-009"]
    assert pilot["randomized"] is False
    assert all(r["p_value"] is None and r["ci_low"] is None for r in pilot["results"])
    # The daily trend rides along: one row per date and arm, the last day at the totals.
    daily = by_id["EXP-2025-012"]["daily"]
    assert daily["metric"] == "checkout_completion" and daily["always_valid"] is True
    dates = sorted({row["date"] for row in daily["rows"]})
    assert len(daily["rows"]) == 2 * len(dates) and daily["rows"][0]["date"] == dates[0]
    control, variant = daily["rows"][-2:]
    (primary,) = [r for r in by_id["EXP-2025-012"]["results"] if r["primary"]]
    assert (control["value"], variant["value"]) == (
        primary["control_value"],
        primary["variant_value"],
    )
    assert control["lift"] is None and variant["ci_low"] < variant["lift"] < variant["ci_high"]
    assert by_id["EXP-2025-011"]["daily"] is None


@pytest.mark.site
def test_a_guardrail_that_got_worse_is_flagged_on_the_card_the_index_and_the_export(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    data = copy.deepcopy(VALID)
    data["metrics"][1]["guardrail"] = True
    data["metrics"][1]["results"]["short_form"]["mean"] = 48.0  # $54.20 -> $48.00
    write(project, "a.md", front_matter(data))
    write(project, "b.md", front_matter(dict(VALID, id="EXP-2099-002")))
    result = mkdocs_build(project, tmp_path / "site", strict=True)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    flag = '<span class="kz-chip kz-chip--guardrail"'
    card = read(site, "experiments/exp-2099-001/index.html")
    lift = (48.0 - 54.2) / 54.2
    assert (
        f"{flag}>Guardrail worse</span> Order value got clearly worse"
        f" (\u2212{abs(lift) * 100:.1f}%).</p>"
    ) in card
    assert "kz-chip--guardrail-metric" in card  # the results table names it a guardrail
    table = card[card.index('class="kz-results"') :]
    assert table.count(f"{flag}>Guardrail worse</span>") == 1  # on its own row too
    index = read(site, "experiments/index.html")
    rows = dict(re.findall(r'<tr data-kz-id="([^"]+)"(.*?)</tr>', index, re.S))
    assert flag in rows["EXP-2099-001"] and flag not in rows["EXP-2099-002"]
    by_id = {e["id"]: e for e in json.loads(read(site, "experiments.json"))["experiments"]}
    assert by_id["EXP-2099-001"]["guardrails_worse"] == ["order_value"]
    assert by_id["EXP-2099-002"]["guardrails_worse"] == []
    guard = by_id["EXP-2099-001"]["results"][1]
    assert guard["guardrail"] is True and guard["verdict"] == "loss" and guard["guardrail_worse"]
    assert not by_id["EXP-2099-001"]["results"][0]["guardrail_worse"]
    assert 0 < guard["chance_better"] < 0.01


@pytest.mark.site
def test_drafts_never_publish_and_internal_can_be_left_out(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    for number, visibility in enumerate(("public", "internal", "draft"), start=1):
        data = dict(
            VALID, id=f"EXP-2099-00{number}", title=f"Title {visibility}", visibility=visibility
        )
        write(project, f"{visibility}.md", front_matter(data))

    def published(site: Path) -> str:
        return "".join(
            p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(site.rglob("*"))
            if p.is_file()
        )

    full = tmp_path / "full"
    assert mkdocs_build(project, full, strict=True).returncode == 0
    text = published(full)
    assert "Title public" in text and "Title internal" in text
    assert "Title draft" not in text and "EXP-2099-003" not in text.upper()

    public = tmp_path / "public"
    result = mkdocs_build(project, public, strict=True, env={"KAIZEN_INCLUDE_INTERNAL": "false"})
    assert result.returncode == 0, result.stderr
    text = published(public)
    assert "Title public" in text
    assert "Title internal" not in text and "EXP-2099-002" not in text.upper()
