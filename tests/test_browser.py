"""The built pages in headless Chromium, as a reader meets them."""

from __future__ import annotations

from conftest import screenshot


def test_experiment_page_renders_card_and_results(page, site_url: str) -> None:
    page.goto(site_url + "experiments/exp-2025-012/")
    card = page.locator(".kz-card")
    assert card.is_visible()
    assert card.locator("h1").inner_text() == "Shorter checkout form"
    table = page.locator("table.kz-results")
    assert table.is_visible()
    assert table.locator("tbody.kz-results__metric").count() >= 2
    assert page.locator(".kz-verdict").first.is_visible()
    screenshot(page, "experiment")
    assert page.console_errors == []


def test_index_lists_experiments_and_links_to_them(page, site_url: str) -> None:
    page.goto(site_url + "experiments/")
    rows = page.locator("table.kz-index tbody tr")
    assert rows.count() >= 15
    screenshot(page, "index")
    page.locator("table.kz-index a", has_text="Sunset policy").click()
    page.wait_for_url("**/experiments/exp-2025-001/")
    assert page.locator(".kz-card h1").inner_text().startswith("Sunset policy")
    assert page.console_errors == []


def test_cycle_links_navigate_between_iterations(page, site_url: str) -> None:
    page.goto(site_url + "experiments/exp-2025-011/")
    page.locator("a[rel=next]").click()
    page.wait_for_url("**/experiments/exp-2026-004/")
    current = page.locator(".kz-cycle--current .kz-cycle__step").inner_text()
    assert current.upper() == "CYCLE 3"
    assert page.console_errors == []
