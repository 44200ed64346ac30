"""`kaizen results`: a metric's numbers from a tool's CSV, written into the write-up alone.

Each test runs the command on a copy of the samples and compares the file with what it
was, line by line: only the metric's results lines may change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kaizen_portal import cli
from kaizen_portal.build.loading import load_portfolio
from test_load import variant

from helpers import ROOT, front_matter, make_project, write

RUNNING = "experiments/exp-2026-020.md"  # order_value primary, checkout_completion guardrail


@pytest.fixture
def samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = make_project(tmp_path, samples=True)
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project without write-ups, the command run from its folder."""
    folder = make_project(tmp_path)
    monkeypatch.chdir(folder)
    return folder


def kaizen(*args: str) -> int:
    return cli.main(["results", *args])


def export(project: Path, text: str, name: str = "export.csv") -> str:
    (project / name).write_text(text, encoding="utf-8")
    return name


def changed(project: Path, file: str) -> list[tuple[str, str]]:
    """(before, after) of each line that differs from the shipped sample."""
    before = (ROOT / file).read_text(encoding="utf-8").split("\n")
    after = (project / file).read_text(encoding="utf-8").split("\n")
    assert len(before) == len(after)
    return [(b, a) for b, a in zip(before, after, strict=True) if b != a]


def test_a_tool_s_totals_replace_the_metric_s_results_lines_only(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = export(samples, "arm,users,conversions\ncontrol,10900,7001\nsecond_bag,10800,6870\n")
    assert kaizen("EXP-2026-020", csv, "--metric", "checkout_completion") == 0
    assert changed(samples, RUNNING) == [
        (
            "      control:    {users: 10840, conversions: 6992}",
            "      control:    {users: 10900, conversions: 7001}",
        ),
        (
            "      second_bag: {users: 10790, conversions: 6862}",
            "      second_bag: {users: 10800, conversions: 6870}",
        ),
    ]
    assert capsys.readouterr().out == (
        "experiments/exp-2026-020.md: checkout_completion results from export.csv: control"
        " {users: 10900, conversions: 7001}; second_bag {users: 10800, conversions: 6870}\n"
    )
    assert load_portfolio(samples).problems == ()


def test_the_primary_metric_is_filled_unless_another_is_named(samples: Path) -> None:
    csv = export(samples, "arm,mean,n,sd\ncontrol,38.91,7000,15.1\nsecond_bag,42.7,6870,19.8\n")
    assert kaizen("exp-2026-020", csv) == 0  # ids ignore case; columns in any order
    assert [after for _, after in changed(samples, RUNNING)] == [
        "      control:    {n: 7000, mean: 38.91, sd: 15.1}",
        "      second_bag: {n: 6870, mean: 42.7, sd: 19.8}",
    ]


def test_a_daily_file_is_summed_into_the_results(samples: Path) -> None:
    # The shipped daily file of EXP-2025-012 sums to the results its write-up holds.
    daily = (samples / "data" / "exp-2025-012.csv").read_text(encoding="utf-8")
    file = "experiments/exp-2025-012.md"
    text = (samples / file).read_text(encoding="utf-8")
    (samples / file).write_text(text.replace("10240", "1"), encoding="utf-8")
    assert kaizen("EXP-2025-012", export(samples, daily)) == 0
    assert changed(samples, file) == []


def test_a_metric_not_yet_listed_is_added_and_the_file_passes(project: Path) -> None:
    planned = variant(status="planned", decision=None, dates=None, metrics=None)
    write(project, "a.md", front_matter(planned))
    csv = export(project, "arm,users,conversions\ncontrol,100,10\nshort_form,100,12\n")
    assert kaizen("EXP-2099-001", csv, "--metric", "checkout_completion") == 0
    assert kaizen("EXP-2099-001", csv, "--metric", "landing_conversion") == 0
    text = (project / "experiments" / "a.md").read_text(encoding="utf-8")
    assert text.endswith(
        "metrics:\n"
        "  - name: checkout_completion\n"
        "    results:\n"
        "      control:    {users: 100, conversions: 10}\n"
        "      short_form: {users: 100, conversions: 12}\n"
        "  - name: landing_conversion\n"
        "    results:\n"
        "      control:    {users: 100, conversions: 10}\n"
        "      short_form: {users: 100, conversions: 12}\n"
        "---\n\n## Background\n\nWhy we tried it.\n"
    )
    assert load_portfolio(project).problems == ()


def test_problems_in_the_csv_are_located_and_nothing_is_written(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = export(samples, "arm,users,conversions\ncontrol,100,10\nsecond_bg,100,120\n")
    assert kaizen("EXP-2026-020", csv, "--metric", "checkout_completion") == 1
    assert capsys.readouterr().out.splitlines() == [
        "export.csv:1:1: arm: no rows for arm 'second_bag' (expected rows for every arm of the"
        " write-up, found nothing). Hint: check how the rows spell the arm; it must match the"
        " write-up's 'arms'",
        "export.csv:3:1: arm: unknown arm (expected one of 'control', 'second_bag', found"
        " 'second_bg'). Hint: did you mean 'second_bag'?",
        "export.csv:3:15: conversions: more conversions than users (expected at most 100"
        " conversions, found 120 conversions of 100 users). Hint: a rate cannot be above 100%;"
        " check that the columns are not swapped",
    ]
    assert changed(samples, RUNNING) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("EXP-2026-020", "export.csv", "--metric", "checkout_completon"),
            "unknown metric 'checkout_completon' (metrics are listed in"
            " site_config/metrics.yml); did you mean 'checkout_completion'?",
        ),
        (
            ("EXP-2026-020", "export.csv"),
            "export.csv has the columns of a proportion, but the metric is a mean",
        ),
        (
            ("EXP-2026-O20", "export.csv"),
            "no experiment has the id 'EXP-2026-O20'; did you mean 'EXP-2026-020'?",
        ),
        (("EXP-2026-020", "missing.csv"), "cannot read missing.csv: No such file or directory"),
    ],
)
def test_what_cannot_be_done_is_said_and_nothing_is_written(
    samples: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], said: str
) -> None:
    export(samples, "arm,users,conversions\ncontrol,100,10\nsecond_bag,100,12\n")
    assert kaizen(*args) == 2
    assert capsys.readouterr().err == f"kaizen: error: {said}\n"
    assert changed(samples, RUNNING) == []


def test_a_metric_listed_without_results_gets_them_under_its_name(project: Path) -> None:
    planned = variant(status="planned", decision=None, dates=None, metrics=None)
    text = front_matter(planned).replace(
        "---\n\n", "metrics:\n  - name: checkout_completion\n    primary: true\n---\n\n", 1
    )
    write(project, "a.md", text)
    assert load_portfolio(project).problems  # results are required: the file is broken
    csv = export(project, "arm,users,conversions\ncontrol,100,10\nshort_form,100,12\n")
    assert kaizen("EXP-2099-001", csv) == 0
    assert (project / "experiments" / "a.md").read_text(encoding="utf-8") == text.replace(
        "    primary: true\n",
        "    primary: true\n"
        "    results:\n"
        "      control:    {users: 100, conversions: 10}\n"
        "      short_form: {users: 100, conversions: 12}\n",
    )
    assert load_portfolio(project).problems == ()


def test_line_ends_are_kept_and_flow_style_metrics_are_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = front_matter(variant()).replace("\n", "\r\n")
    (project / "experiments" / "a.md").write_bytes(text.encode())
    csv = export(project, "arm,users,conversions\ncontrol,100,10\nshort_form,100,12\n")
    assert kaizen("EXP-2099-001", csv) == 0
    written = (project / "experiments" / "a.md").read_bytes()
    assert b"\r\n" in written and b"\n" not in written.replace(b"\r\n", b"")

    flow = variant(metrics=None)
    inline = (
        "metrics: [{name: checkout_completion, results: {control: {users: 1, conversions: 0}}}]"
    )
    (project / "experiments" / "a.md").write_text(
        front_matter(flow).replace("---\n\n", inline + "\n---\n\n", 1), encoding="utf-8"
    )
    before = (project / "experiments" / "a.md").read_text(encoding="utf-8")
    assert kaizen("EXP-2099-001", csv) == 2
    assert "written in flow style" in capsys.readouterr().err
    assert (project / "experiments" / "a.md").read_text(encoding="utf-8") == before


# --- layouts a write-up may have --------------------------------------------------------

HEAD = (
    "---\nid: EXP-2099-001\ntitle: Layouts\nstatus: planned\nowner: Ana Ruiz\nteam: Web\n"
    "hypothesis: Fewer fields.\narms: [control, short_form]\n"
)
ROWS = "arm,users,conversions\ncontrol,100,10\nshort_form,100,12\n"
FILLED = (
    "      control:    {users: 100, conversions: 10}\n"
    "      short_form: {users: 100, conversions: 12}\n"
)


@pytest.mark.parametrize(
    ("metrics", "expected"),
    [
        pytest.param(  # a comment at the key's indent inside the block is the block's own
            "metrics:\n  - name: checkout_completion\n    results:\n"
            "      control: {users: 1, conversions: 0}\n    # a note\n"
            "      short_form: {users: 1, conversions: 0}\n",
            "metrics:\n  - name: checkout_completion\n    results:\n" + FILLED,
            id="comment-inside",
        ),
        pytest.param(  # results as the item's first key keeps its dash
            "metrics:\n  - results:\n      control: {users: 1, conversions: 0}\n"
            "      short_form: {users: 1, conversions: 0}\n    name: checkout_completion\n",
            "metrics:\n  - results:\n" + FILLED + "    name: checkout_completion\n",
            id="results-first",
        ),
        pytest.param(
            "metrics: []\n",
            "metrics:\n  - name: checkout_completion\n    results:\n" + FILLED,
            id="empty-list",
        ),
    ],
)
def test_layouts_are_filled_in_place(project: Path, metrics: str, expected: str) -> None:
    (project / "experiments" / "a.md").write_text(f"{HEAD}{metrics}---\n\nBody.\n", "utf-8")
    assert kaizen("EXP-2099-001", export(project, ROWS), "--metric", "checkout_completion") == 0
    text = (project / "experiments" / "a.md").read_text(encoding="utf-8")
    assert text == f"{HEAD}{expected}---\n\nBody.\n"
    assert load_portfolio(project).problems == ()


def test_an_edit_that_would_break_the_file_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A flow mapping continued on a less indented line: the block's end cannot be told by
    # indentation, so the edit would leave a line behind; the new problem refuses it.
    metrics = (
        "metrics:\n  - name: checkout_completion\n    results:\n"
        "      control: {users: 1,\n    conversions: 0}\n"
        "      short_form: {users: 1, conversions: 0}\n"
    )
    original = f"{HEAD}{metrics}---\n\nBody.\n"
    (project / "experiments" / "a.md").write_text(original, "utf-8")
    assert load_portfolio(project).problems == ()
    assert kaizen("EXP-2099-001", export(project, ROWS)) == 1
    assert "nothing was written" in capsys.readouterr().err
    assert (project / "experiments" / "a.md").read_text(encoding="utf-8") == original


def test_arms_yaml_would_misread_are_quoted_and_small_means_keep_their_digits(
    project: Path,
) -> None:
    head = HEAD.replace("arms: [control, short_form]", 'arms: ["yes", "null"]')
    (project / "experiments" / "a.md").write_text(f"{head}---\n\nBody.\n", "utf-8")
    rows = "arm,n,mean,sd\nyes,100,0.00004,0.00004\nnull,100,-0.00004,0.123456789\n"
    assert kaizen("EXP-2099-001", export(project, rows), "--metric", "order_value") == 0
    text = (project / "experiments" / "a.md").read_text(encoding="utf-8")
    assert '      "yes":  {n: 100, mean: 0.00004, sd: 0.00004}\n' in text
    assert '      "null": {n: 100, mean: -0.00004, sd: 0.1235}\n' in text
    assert load_portfolio(project).problems == ()


def test_mixed_line_ends_stay_as_they_were(project: Path) -> None:
    metrics = "metrics:\n  - name: checkout_completion\n    results:\n" + FILLED.replace(
        "100", "1"
    ).replace("10}", "0}").replace("12}", "0}")
    raw = f"{HEAD}{metrics}---\n".encode() + b"\r\nA body\r\nwritten on Windows.\r\n"
    (project / "experiments" / "a.md").write_bytes(raw)
    assert kaizen("EXP-2099-001", export(project, ROWS)) == 0
    written = (project / "experiments" / "a.md").read_bytes()
    assert written.endswith(b"---\n\r\nA body\r\nwritten on Windows.\r\n")
    assert FILLED.encode() in written


def test_a_file_without_a_size_is_read_to_the_limit_only(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kaizen("EXP-2026-020", "/dev/zero") == 2
    assert capsys.readouterr().err == "kaizen: error: /dev/zero is larger than 5 MB\n"


def test_a_totals_file_is_told_in_arms_not_days(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kaizen("EXP-2026-020", export(samples, "arm,n,mean,sd\n")) == 1
    assert capsys.readouterr().out == (
        "export.csv:1:1: the file has a header but no rows (expected one row per arm, found"
        " nothing). Hint: add one row per arm below the header\n"
    )
    rows = "arm,n,mean,sd\ncontrol,0,38.9,15.1\nsecond_bag,10,inf,19.8\n"
    assert kaizen("EXP-2026-020", export(samples, rows)) == 1
    out = capsys.readouterr().out
    assert "n: an arm needs at least one observation" in out
    assert "leave out the row of an arm without observations" in out
    assert "Hint: give the arm's actual value" in out
