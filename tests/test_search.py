"""Search: the Pagefind index the plugin builds, and the header search box in Chromium."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from browsing import serve
from kaizen_portal.mkdocs_plugin.pagefind import BackgroundIndex, SearchIndexError, index_site

from conftest import screenshot
from helpers import VALID, front_matter, make_project, mkdocs_build, write

# Runs Pagefind's own search API in the page: the URLs of every result, best first.
SEARCH_API = """async ([bundle, term]) => {
  const pagefind = await import(bundle + "pagefind.js");
  const search = await pagefind.search(term);
  return Promise.all(search.results.map(async (result) => (await result.data()).url));
}"""

# One word that only one sample's hypothesis uses (checked below against experiments.json).
HYPOTHESIS_WORD, HYPOTHESIS_ID = "barista", "EXP-2026-010"


def experiments(site: Path) -> dict[str, dict]:
    data = json.loads((site / "experiments.json").read_text(encoding="utf-8"))
    return {e["id"]: e for e in data["experiments"]}


def records(site: Path) -> dict[str, dict]:
    """Every page in the Pagefind bundle, by URL: its indexed text, title and word count."""
    found = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data[data.index(b"{") :])
        found[record["url"]] = record
    return found


def api_search(page, site_url: str, term: str) -> list[str]:
    return page.evaluate(SEARCH_API, [site_url + "pagefind/", term])


def page_url(exp_id: str) -> str:
    return f"/experiments/{exp_id.lower()}/"


# The bundle, as the plugin builds it after `mkdocs build`


def test_the_build_writes_pagefind_and_no_lunr_index(sample_site: Path) -> None:
    assert (sample_site / "pagefind" / "pagefind-entry.json").is_file()
    assert (sample_site / "pagefind" / "pagefind-component-ui.js").is_file()
    assert not (sample_site / "search").exists()  # Material's search plugin is off
    home = (sample_site / "index.html").read_text(encoding="utf-8")
    assert "assets/kaizen/search.js" in home
    assert 'data-md-component="search"' not in home


def test_every_experiment_and_listing_is_indexed_without_the_site_chrome(
    sample_site: Path,
) -> None:
    indexed = records(sample_site)
    for exp_id in experiments(sample_site):
        assert page_url(exp_id) in indexed, exp_id
    for listing in ("/experiments/", "/teams/", "/teams/web/", "/tags/checkout/", "/timeline/"):
        assert listing in indexed, listing
    assert "/404.html" not in indexed  # Material's 404 page has no data-pagefind-body
    card = indexed[page_url("EXP-2025-012")]
    assert card["meta"]["title"] == "Shorter checkout form"  # no "¶" from the permalink
    # Only the article: not the header, the tabs, the navigation or the footer.
    assert "Writing an experiment" not in card["content"]
    assert "Table of contents" not in card["content"]
    # Nor the note on how results are computed, which every result page has.
    assert "How this was computed" not in card["content"]
    assert "Miettinen" not in card["content"]
    # A listing keeps its name and summary, not the rows of experiments it lists.
    listing = indexed["/experiments/"]["content"]
    assert "Shorter checkout form" not in listing


def test_front_matter_values_are_words_of_the_experiment_page(sample_site: Path) -> None:
    """Labels written against their values ("Owner" + "Ana Ruiz") are left out of the
    index, so each value is a word of its own."""
    exp = experiments(sample_site)["EXP-2025-012"]
    text = records(sample_site)[page_url("EXP-2025-012")]["content"]
    words = set(re.findall(r"[\w-]+", text))
    hypothesis_first = exp["hypothesis"].split()[0]
    assert {exp["team"], hypothesis_first, *exp["owner"].split()} <= words
    for label in {r["metric_label"] for r in exp["results"]}:
        assert re.search(rf"\b{re.escape(label)}\b", text), label


@pytest.mark.parametrize(
    "field",
    [
        "id",
        "team",
        "owner",
        "hypothesis",
        "metric label",
        "tag",
        "status",
    ],
)
def test_searching_a_front_matter_value_finds_the_experiment(
    page, site_url: str, sample_site: Path, field: str
) -> None:
    exp = experiments(sample_site)["EXP-2025-012"]
    term = {
        "id": exp["id"],
        "team": exp["team"],
        "owner": exp["owner"],
        "hypothesis": exp["hypothesis"].split()[0],
        "metric label": exp["results"][0]["metric_label"],
        "tag": exp["tags"][-1],
        "status": exp["status"],
    }[field]
    page.goto(site_url)
    assert page_url(exp["id"]) in api_search(page, site_url, term), term
    assert page.console_errors == []


# The search box, as a reader uses it


def open_search(page):
    """Clicks the header's search box; returns the dialog's search field."""
    page.locator(".kz-search").click()
    field = page.locator("pagefind-modal input")
    field.wait_for(state="visible")
    return field


def result_links(page, term: str) -> list[str]:
    """The result links shown once the search for ``term`` has answered. Pagefind shows
    placeholders first and loads each result as it scrolls into view: the first four are
    waited for, so that the order is the ranking."""
    page.wait_for_function(
        """term => {
          const summary = document.querySelector('pagefind-summary');
          const items = [...document.querySelectorAll('pagefind-modal .pf-result')];
          return summary?.textContent.includes(term) && items.length > 0
            && items.slice(0, 4).every(item => item.querySelector('.pf-result-link[href]'));
        }""",
        arg=term,
    )
    return page.eval_on_selector_all(
        "pagefind-modal .pf-result-link[href]", "links => links.map(a => a.getAttribute('href'))"
    )


def still(page) -> None:
    """No opening animation, which a full-page screenshot would catch halfway."""
    page.emulate_media(reduced_motion="reduce")


def wait_for_card(page, exp_id: str) -> None:
    page.wait_for_url(f"**{page_url(exp_id)}")
    page.wait_for_function(
        "id => document.querySelector('.kz-card')?.textContent.includes(id)", arg=exp_id
    )


def test_a_hypothesis_word_finds_its_experiment_and_the_result_opens_it(
    page, site_url: str, sample_site: Path
) -> None:
    using = [e for e in experiments(sample_site).values() if HYPOTHESIS_WORD in e["hypothesis"]]
    assert [e["id"] for e in using] == [HYPOTHESIS_ID]
    still(page)
    page.goto(site_url + "tags/")
    field = open_search(page)
    field.fill(HYPOTHESIS_WORD)
    assert result_links(page, HYPOTHESIS_WORD)[0] == page_url(HYPOTHESIS_ID)
    screenshot(page, "search")
    page.locator("pagefind-modal .pf-result-link").first.click()
    wait_for_card(page, HYPOTHESIS_ID)
    assert page.locator("pagefind-modal dialog").is_hidden()
    assert page.console_errors == []


def test_team_tag_and_metric_label_searches_find_experiments(
    page, site_url: str, sample_site: Path
) -> None:
    everything = experiments(sample_site).values()
    page.goto(site_url)
    field = open_search(page)

    field.fill("Wholesale Sales")
    team = {page_url(e["id"]) for e in everything if e["team"] == "Wholesale Sales"}
    assert team & set(result_links(page, "Wholesale Sales"))

    field.fill("Checkout completion")
    measured = {
        page_url(e["id"])
        for e in everything
        if any(r["metric_label"] == "Checkout completion" for r in e["results"])
    }
    links = result_links(page, "Checkout completion")
    assert links[0] == "/metrics/checkout_completion/"
    assert measured & set(links)

    # A tag finds its tag page, which lists the experiments tagged with it.
    field.fill("subject-lines")
    assert result_links(page, "subject-lines")[0] == "/tags/subject-lines/"
    assert page.console_errors == []


def test_experiments_rank_above_listings_and_say_how_they_came_out(
    page, site_url: str, sample_site: Path
) -> None:
    page.goto(site_url)
    field = open_search(page)
    field.fill("wholesale")
    links = result_links(page, "wholesale")
    listings = [i for i, link in enumerate(links) if not link.startswith("/experiments/exp-")]
    assert listings and listings[0] >= 3, links  # experiments first, then the listings
    # Each experiment's result says its status and its outcome in words.
    first = page.locator("pagefind-modal .pf-result").first
    assert links[0] == page_url("EXP-2026-006")
    outcome = first.locator(".kz-search-outcome").inner_text()
    assert outcome.startswith("Concluded · Not valid Landing-page conversion")
    screenshot(page, "search-outcomes")
    assert page.console_errors == []


def test_pagefind_loads_only_when_search_opens(page, site_url: str) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(site_url + "experiments/exp-2025-012/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".kz-search").is_visible()
    assert not [url for url in fetched if "/pagefind/" in url]
    open_search(page)
    assert site_url + "pagefind/pagefind-component-ui.js" in fetched
    assert page.console_errors == []


def test_search_works_after_instant_navigation(page, site_url: str) -> None:
    page.goto(site_url)
    page.evaluate("() => { window.__sameDocument = true; }")
    page.locator(".md-tabs a", has_text="Experiments").click()
    page.wait_for_url("**/experiments/")
    page.wait_for_selector("table.kz-index")
    # The shortcut and what is typed right after it, while Pagefind's UI is still loading.
    page.keyboard.press("/")
    page.keyboard.type(HYPOTHESIS_WORD)
    assert result_links(page, HYPOTHESIS_WORD)[0] == page_url(HYPOTHESIS_ID)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_for_card(page, HYPOTHESIS_ID)
    assert page.locator("pagefind-modal dialog").is_hidden()  # closed on arrival
    assert page.evaluate("() => window.__sameDocument") is True  # no reload: instant
    # And again on the page the result opened.
    page.keyboard.press("s")
    page.locator("pagefind-modal input").wait_for(state="visible")
    page.keyboard.type("Ana Ruiz")
    assert "/people/ana-ruiz/" in result_links(page, "Ana Ruiz")
    page.keyboard.press("Escape")
    assert page.locator("pagefind-modal dialog").is_hidden()
    assert page.console_errors == []


def test_shortcut_keys_are_left_to_form_fields(page, site_url: str) -> None:
    page.goto(site_url + "experiments/")
    text = page.locator(".kz-filters input[name=text]")
    text.click()
    page.keyboard.type("s/f")
    page.wait_for_timeout(300)
    assert text.input_value() == "s/f"
    assert page.locator("pagefind-modal").count() == 0
    assert page.console_errors == []


def background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")


def test_the_dialog_follows_the_palette(page, site_url: str) -> None:
    still(page)
    page.goto(site_url + "tags/checkout/")
    open_search(page).fill("checkout")
    result_links(page, "checkout")
    light = background(page, "pagefind-modal dialog")
    assert light == background(page, "body")
    page.keyboard.press("Escape")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
    open_search(page)
    dark = background(page, "pagefind-modal dialog")
    assert dark == background(page, "body") != light
    text = page.eval_on_selector(".pf-result-link", "e => getComputedStyle(e).color")
    assert text == page.eval_on_selector("article.md-typeset", "e => getComputedStyle(e).color")
    screenshot(page, "search-dark")
    assert page.console_errors == []


def test_search_fits_a_phone(browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    still(page)
    page.goto(site_url + "tags/checkout/")
    box = page.locator(".kz-search").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375
    assert page.locator(".kz-search__label").is_hidden()  # an icon, as Material's
    open_search(page).fill("checkout")
    result_links(page, "checkout")
    dialog = page.locator("pagefind-modal dialog").bounding_box()
    assert dialog is not None and dialog["width"] <= 375
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    # The dialog fills the window: as tall as the page, so the screenshot shows only it.
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 375, "height": height})
    screenshot(page, "search-phone")
    context.close()
    assert errors == []


def test_results_link_under_the_path_the_site_is_served_from(
    page, sample_site: Path, tmp_path: Path
) -> None:
    (tmp_path / "portal").symlink_to(sample_site, target_is_directory=True)
    with serve(tmp_path) as root:
        page.goto(root + "portal/experiments/")
        field = open_search(page)
        field.fill(HYPOTHESIS_WORD)
        link = page_url(HYPOTHESIS_ID)
        assert result_links(page, HYPOTHESIS_WORD)[0] == "/portal" + link
        page.locator("pagefind-modal .pf-result-link").first.click()
        page.wait_for_url(root + "portal" + link)
        assert HYPOTHESIS_ID in page.locator(".kz-card").inner_text()
    assert page.console_errors == []


# Hidden write-ups, and a build that cannot index


def test_hidden_write_ups_never_reach_the_index(browser, tmp_path: Path) -> None:
    project = make_project(tmp_path)
    words = {"public": "quokkafirst", "internal": "quokkasecond", "draft": "quokkathird"}
    for number, (visibility, word) in enumerate(words.items(), start=1):
        data = dict(
            VALID,
            id=f"EXP-2099-00{number}",
            title=f"Title {visibility}",
            hypothesis=f"The {word} change raises checkout completion.",
            visibility=visibility,
        )
        write(project, f"{visibility}.md", front_matter(data, f"## Background\n\n{word}.\n"))
    site = tmp_path / "site"
    env = {"KAIZEN_INCLUDE_INTERNAL": "false"}
    result = mkdocs_build(project, site, strict=True, env=env)
    assert result.returncode == 0, result.stderr

    bundle = b"".join(
        gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        for data in (p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file())
    )
    assert b"quokkafirst" in bundle
    assert b"quokkasecond" not in bundle and b"quokkathird" not in bundle

    page = browser.new_page()
    with serve(site) as url:
        page.goto(url)
        assert api_search(page, url, "quokkafirst") == [page_url("EXP-2099-001")]
        assert api_search(page, url, "quokkasecond") == []
        assert api_search(page, url, "quokkathird") == []
        assert api_search(page, url, "quokka") == [page_url("EXP-2099-001")]
    page.close()


@pytest.mark.site
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "plain"])
def test_a_failed_index_fails_a_strict_build_and_a_plain_one_says_so(
    tmp_path: Path, strict: bool
) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    missing = str(tmp_path / "no-such-pagefind")
    result = mkdocs_build(
        project, tmp_path / "site", strict=strict, env={"PAGEFIND_BINARY_PATH": missing}
    )
    assert (result.returncode != 0) is strict, result.stderr
    assert "the search index was not built: could not run Pagefind" in result.stderr
    assert (tmp_path / "site" / "experiments" / "index.html").is_file()


@pytest.mark.site
def test_a_build_indexes_once_mkdocs_has_written_every_page(tmp_path: Path) -> None:
    """Pagefind and MkDocs each hold the whole site at their peak: one after the other."""
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    result = mkdocs_build(project, tmp_path / "site", strict=True, quiet=False)
    assert result.returncode == 0, result.stderr
    built = result.stderr.index("Documentation built in")
    assert result.stderr.index("Pagefind indexed") > built
    assert (tmp_path / "site" / "pagefind" / "pagefind-entry.json").is_file()


def test_index_site_says_why_it_failed(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError, match="did not contain any html files"):
        index_site(tmp_path)


def test_a_project_that_keeps_materials_search_gets_no_pagefind(page, tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  - search\n"),
        encoding="utf-8",
    )
    site = tmp_path / "site"
    result = mkdocs_build(project, site, strict=True)
    assert result.returncode == 0, result.stderr
    assert (site / "search" / "search_index.json").is_file()
    assert not (site / "pagefind").exists()
    with serve(site) as url:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        # search.js sees Material's search box and adds none of its own.
        assert page.locator("[data-md-component=search]").count() == 1
        assert page.locator(".kz-search").count() == 0
    assert page.console_errors == []


@pytest.mark.site
def test_the_preview_s_index_is_moved_in_without_taking_the_old_one_away(
    sample_site: Path, tmp_path: Path
) -> None:
    """Under `mkdocs serve` Pagefind runs beside the preview: a page that loaded the old
    entry file must still find every file it names after the new index is moved in."""
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    entry = site / "pagefind" / "pagefind-entry.json"
    old = json.loads(entry.read_text(encoding="utf-8"))
    page = site / "experiments" / "exp-2025-012" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Shorter", "Shorter still"), "utf-8")
    outcomes: list[object] = []
    search = BackgroundIndex(outcomes.append)
    search.request(site)
    search.request(site)  # asked again while indexing: indexed once more, once done
    assert search.wait(120)
    assert len(outcomes) in (1, 2) and all(not isinstance(o, Exception) for o in outcomes)
    new = json.loads(entry.read_text(encoding="utf-8"))
    assert new != old
    for index in (old, new):  # every file either entry names is there
        for language in index["languages"].values():
            assert (site / "pagefind" / f"pagefind.{language['hash']}.pf_meta").is_file()
    assert not (site / "pagefind.next").exists()


def test_the_preview_s_indexing_stops_with_the_preview(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MkDocs removes the preview's folder once serving ends; Pagefind must not be
    writing into it then. What it was doing is dropped, and said nowhere."""
    import time

    slow = tmp_path / "pagefind"
    slow.write_text("#!/bin/sh\nexec sleep 60\n", encoding="utf-8")
    slow.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))
    reports = []
    search = BackgroundIndex(reports.append)
    search.request(tmp_path)
    time.sleep(0.5)  # Pagefind is running
    started = time.monotonic()
    search.stop()
    assert time.monotonic() - started < 5
    assert reports == []
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    search.request(tmp_path / "missing")  # a later preview in the same process
    assert search.wait(30)
    assert len(reports) == 1 and isinstance(reports[0], SearchIndexError)
