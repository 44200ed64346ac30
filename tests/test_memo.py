"""Rebuilds while serving redo the work of what changed, and give what a fresh build gives."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from kaizen_portal.analysis.lineage import lineages
from kaizen_portal.build import loading, pipeline
from kaizen_portal.build.memo import Memo
from kaizen_portal.pages.links import PageOptions

from helpers import make_project


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each build read, analysed and rendered each write-up."""
    calls: Counter[str] = Counter()
    read, analyze, render = loading.load_entry, pipeline.analyze, pipeline.experiment_page

    def counting_read(path, *args, **kwargs):
        calls["read:" + path.stem] += 1
        return read(path, *args, **kwargs)

    def counting_analyze(entry, catalog):
        calls["analyze:" + entry.meta.slug] += 1
        return analyze(entry, catalog)

    def counting_render(analysis, *args, **kwargs):
        calls["render:" + analysis.entry.meta.slug] += 1
        return render(analysis, *args, **kwargs)

    monkeypatch.setattr(loading, "load_entry", counting_read)
    monkeypatch.setattr(pipeline, "analyze", counting_analyze)
    monkeypatch.setattr(pipeline, "experiment_page", counting_render)
    return calls


def _build(project: Path, memo: Memo, templates: Path | None = None) -> pipeline.Build:
    return pipeline.build(pipeline.Inputs(project, memo=memo), PageOptions(template_dir=templates))


def _contents(result: pipeline.Build) -> dict[str, str]:
    return {f.uri: f.content for f in result.files}


def test_editing_one_write_up_redoes_it_and_its_idea_only(
    tmp_path: Path, counted: Counter[str]
) -> None:
    project = make_project(tmp_path, samples=True)
    memo = Memo()
    first = _build(project, memo)
    family = lineages(first.portfolio.entries)
    chained = next(e for e in first.portfolio.entries if len(family[e.meta.slug].cycles) > 1)
    path = project / chained.path
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    counted.clear()

    again = _build(project, memo)

    idea = {c.meta.slug for c in family[chained.meta.slug].cycles}
    slug = chained.meta.slug
    assert counted == Counter(
        {"read:" + slug: 1, "analyze:" + slug: 1, **{"render:" + s: 1 for s in idea}}
    )
    assert _contents(again) == _contents(_build(project, Memo()))
    assert "One more sentence." in _contents(again)[f"experiments/{chained.meta.slug}.md"]


def test_a_rebuild_without_changes_redoes_nothing(tmp_path: Path, counted: Counter[str]) -> None:
    project = make_project(tmp_path, samples=True)
    memo = Memo()
    first = _contents(_build(project, memo))
    counted.clear()
    assert _contents(_build(project, memo)) == first
    assert not counted


def test_changing_the_catalog_or_a_template_redoes_what_reads_it(
    tmp_path: Path, counted: Counter[str]
) -> None:
    project = make_project(tmp_path, samples=True)
    templates = project / "templates"
    templates.mkdir()
    memo = Memo()
    entries = len(_build(project, memo, templates).portfolio.entries)

    (templates / "experiment.md.j2").write_text("Overridden {{ exp.title }}\n", encoding="utf-8")
    counted.clear()
    overridden = _contents(_build(project, memo, templates))
    assert sum(n for key, n in counted.items() if key.startswith("render:")) == entries
    assert not any(key.startswith(("read:", "analyze:")) for key in counted)
    assert all("Overridden" in text for uri, text in overridden.items() if "/exp-" in uri)

    settings = project / "site_config" / "portal.yml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    counted.clear()
    _build(project, memo, templates)
    files = len(list((project / "experiments").glob("*.md")))  # drafts too, if not shown
    assert sum(n for key, n in counted.items() if key.startswith("read:")) == files
    assert sum(n for key, n in counted.items() if key.startswith("analyze:")) == entries


def test_fill_computes_only_what_is_missing_and_sweep_forgets_what_went_unused() -> None:
    memo = Memo()
    asked: list[list[int]] = []

    def compute(todo: list[int]) -> list[str]:
        asked.append(todo)
        return [f"value {i}" for i in todo]

    assert memo.fill(["a", "b"], compute) == ["value 0", "value 1"]
    assert memo.fill(["b", "c", "a"], compute) == ["value 1", "value 1", "value 0"]
    assert asked == [[0, 1], [1]]  # "c" was third in the second call
    memo.sweep()
    memo.fill(["c"], compute)
    memo.sweep()  # "a" and "b" went unused in the last build
    assert memo.fill(["a", "b", "c"], compute) == ["value 0", "value 1", "value 1"]
    assert asked == [[0, 1], [1], [0, 1]]  # "c" was kept
    assert memo.fill([], compute) == []
    assert len(asked) == 3


def test_a_listing_is_made_again_only_when_what_it_lists_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path, samples=True)
    memo = Memo()
    first = {f.uri: f for f in _build(project, memo).files}
    path = project / "experiments" / "exp-2025-012.md"  # team Web, metric checkout completion
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Shorter checkout form", "title: Fewer fields"), "utf-8")
    again = {f.uri: f for f in _build(project, memo).files}
    assert again["teams/email-crm.md"] is first["teams/email-crm.md"]  # lists nothing of it
    assert again["metrics/email_open_rate.md"] is first["metrics/email_open_rate.md"]
    for changed in ("teams/web.md", "metrics/checkout_completion.md", "people/ana-ruiz.md"):
        assert "Fewer fields" in again[changed].content, changed
    fresh = {f.uri: f.content for f in _build(project, Memo()).files}
    assert {uri: f.content for uri, f in again.items()} == fresh


@pytest.mark.parametrize("samples", [True, False])
def test_the_export_made_by_parts_is_the_whole_document_json_writes(
    tmp_path: Path, samples: bool
) -> None:
    """Each experiment's part is kept by its write-up; joined, they must be byte for byte
    what json.dumps writes for the whole document, empty list included."""
    project = make_project(tmp_path, samples=samples)
    memo = Memo()
    result = _build(project, memo)
    text = next(f.content for f in result.files if f.uri == "experiments.json")
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    assert len(document["experiments"]) == (22 if samples else 0)
    if samples:  # the parts are reused: an edit changes its experiment's part alone
        path = project / "experiments" / "exp-2025-012.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("Shorter checkout form", "Fewer fields"), "utf-8")
        again = next(f.content for f in _build(project, memo).files if f.uri == "experiments.json")
        fresh = next(
            f.content for f in _build(project, Memo()).files if f.uri == "experiments.json"
        )
        assert again == fresh and "Fewer fields" in again


def test_a_build_leaves_no_object_out_of_garbage_collection(tmp_path: Path) -> None:
    """The build freezes the heap while it runs (build/heap.py), and unfreezes it after,
    an error included."""
    import gc

    from kaizen_portal.build import heap

    project = make_project(tmp_path, samples=True)
    _build(project, Memo())
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), heap.frozen():
        with heap.frozen():
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() > 0  # the outer block still holds
        raise RuntimeError
    assert gc.get_freeze_count() == 0


def test_a_finished_build_s_cycles_are_freed_before_the_index_is_built() -> None:
    """MkDocs' pages refer to each other: only a collection frees them (build/heap.py)."""
    import gc
    import weakref

    from kaizen_portal.build import heap

    class Page:
        pass

    page = Page()
    page.nav = [page]  # type: ignore[attr-defined]
    freed = weakref.ref(page)
    gc.disable()  # no collection but the one under test
    try:
        del page
        assert freed() is not None
        heap.release_memory()
        assert freed() is None
    finally:
        gc.enable()


def test_a_folder_swapped_for_a_link_out_is_seen_by_the_next_build(tmp_path: Path) -> None:
    """Reading looks each folder's real path up once per build, never across builds."""
    import shutil

    project = make_project(tmp_path / "project", samples=True)
    memo = Memo()
    assert loading.load_portfolio(project, memo=memo).problems == ()
    outside = shutil.move(project / "experiments", tmp_path / "elsewhere")
    (project / "experiments").symlink_to(outside, target_is_directory=True)
    again = loading.load_portfolio(project, memo=memo)
    assert again.entries == ()
    assert {p.message for p in again.problems} == {"this is a link that leads outside the project"}
