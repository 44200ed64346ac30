"""The same portal on each engine: MkDocs 1.6 and ProperDocs, its maintained fork.

Each engine builds the shipped samples with --strict; every published experiment must
have its page with its title and the state of its primary result, and every internal link
must resolve. (The hostile write-ups are built and opened in a browser on each engine in
test_hostile.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import markupsafe
import pytest

from helpers import ENGINES, ROOT, mkdocs_build


@pytest.fixture(scope="module", params=ENGINES)
def engine_site(
    request: pytest.FixtureRequest, sample_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    if request.param == "mkdocs":
        return sample_site  # the session's build, as `make site` makes it
    site = tmp_path_factory.mktemp(f"site-{request.param}")
    result = mkdocs_build(ROOT, site, strict=True, engine=request.param)
    assert result.returncode == 0, result.stderr
    return site


@pytest.mark.site
def test_every_published_experiment_has_its_page_title_and_state(engine_site: Path) -> None:
    export = json.loads((engine_site / "experiments.json").read_text(encoding="utf-8"))
    experiments = export["experiments"]
    assert len(experiments) >= 20
    for exp in experiments:
        page = (engine_site / exp["url"] / "index.html").read_text(encoding="utf-8")
        assert f'<h1 class="kz-card__title">{markupsafe.escape(exp["title"])}</h1>' in page, exp[
            "id"
        ]
        if exp["state"]:
            assert f'data-kz-state="{exp["state"]}"' in page, exp["id"]
    assert (engine_site / "pagefind" / "pagefind.js").is_file()  # the search index


@pytest.mark.site
def test_every_internal_link_resolves(engine_site: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check-links"), str(engine_site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
