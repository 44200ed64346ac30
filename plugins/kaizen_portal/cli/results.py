"""``kaizen results``: a metric's numbers per arm, from the CSV a tool exports, into the file.

Authors copy per-arm numbers from their email, ad or analytics tool by hand. This reads
the tool's export (one row per arm: ``arm, users, conversions`` or ``arm, n, mean, sd``) or
a daily file, whose rows it sums, with the same located problems as every input, and
rewrites the metric's ``results`` lines only. Every other byte of the write-up, comments
and alignment included, stays as written: the lines to replace are found from where the
YAML parser saw each value, not by dumping the YAML again (a round-trip re-spaces every
aligned line of the file).
"""

from __future__ import annotations

import argparse
import codecs
import sys
from pathlib import Path
from typing import Any

from ..inputs.csv_lines import CsvRow, csv_rows
from ..inputs.daily_cells import DAILY, TOTALS
from ..inputs.daily_csv import read_daily
from ..inputs.daily_totals import Summary, totals
from ..inputs.files import MAX_DATA_BYTES, decode, read_write_up
from ..inputs.portfolio import load_entry
from ..inputs.positioned_yaml import parse_front_matter
from ..inputs.problems import SourceError, did_you_mean, plural
from ..inputs.vocabulary import MetricKind
from .project import EXIT_OK, EXIT_PROBLEMS, CommandError, Project, taken_ids

Numbers = tuple[int, int] | Summary


def run_results(project: Project, args: argparse.Namespace) -> int:
    path = _write_up(project, args.id)
    shown = project.shown(path)
    try:
        raw = read_write_up(path, project.root, shown)
        text = decode(raw, shown)
        source = parse_front_matter(text, shown)
    except SourceError as exc:
        raise CommandError(exc.problem.format(), EXIT_PROBLEMS) from None
    data = source.data
    arms = [arm for arm in data.get("arms") or [] if isinstance(arm, str)]
    if not arms:
        raise CommandError(f"{shown} lists no arms yet: add 'arms: [control, variant]' first")
    metrics = [m for m in data.get("metrics") or [] if isinstance(m, dict)]
    name = args.metric or _primary(metrics)
    if name is None:
        raise CommandError(f"{shown} lists no metric yet: name one with --metric NAME")
    kind = _kind(project, name)
    numbers = _numbers(Path(args.file), arms, kind)
    if numbers is None:
        return EXIT_PROBLEMS
    index = next((i for i, m in enumerate(metrics) if m.get("name") == name), None)
    lines = text.split("\n")
    results = _results_lines(numbers, arms)
    edited = "\n".join(_placed(lines, source.locate, data, index, name, results))
    problems = load_entry(path, shown, project.catalog(), project.root, raw=edited.encode())
    ours = f"metrics[{len(metrics) if index is None else index}]"
    refused = [p for p in problems.problems if p.field.startswith(ours)]
    if refused:
        raise CommandError(
            "the results would not pass the checks, so nothing was written:\n"
            + "\n".join(p.format() for p in refused),
            EXIT_PROBLEMS,
        )
    path.write_bytes(_as_written(edited, raw))
    print(f"{shown}: {name} results from {args.file}: " + "; ".join(_told(numbers, arms)))
    if problems.problems:
        print(f"{shown} has {plural(len(problems.problems), 'other problem')}:", file=sys.stderr)
        for problem in problems.problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _as_written(text: str, raw: bytes) -> bytes:
    """The text with the file's own byte-order mark and line ends, which reading dropped."""
    newline = "\r\n" if b"\r\n" in raw else "\n"
    mark = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    return mark + text.replace("\n", newline).encode("utf-8")


def _write_up(project: Project, wanted: str) -> Path:
    taken = taken_ids(project)
    if wanted.lower() in taken:
        return taken[wanted.lower()]
    hint = did_you_mean(wanted.upper(), [key.upper() for key in taken])
    raise CommandError(f"no experiment has the id '{wanted}'" + (f"; {hint}" if hint else ""))


def _primary(metrics: list[dict[str, Any]]) -> str | None:
    """The metric flagged primary, else the first listed, as the portal reads them."""
    chosen = next((m for m in metrics if m.get("primary") is True), metrics[0] if metrics else None)
    return str(chosen.get("name")) if chosen else None


def _kind(project: Project, name: str) -> MetricKind:
    catalog = project.catalog()
    definition = catalog.metrics.get(name)
    metrics_file = f"{project.layout.site_config_dir}/metrics.yml"
    if definition is None:
        hint = did_you_mean(name, catalog.metrics)
        raise CommandError(
            f"unknown metric '{name}' (metrics are listed in {metrics_file})"
            + (f"; {hint}" if hint else "")
        )
    if definition.kind is MetricKind.PRECOMPUTED:
        raise CommandError(
            f"'{name}' is a precomputed metric: its lift and interval come from the author's"
            " tool, so write them in the file by hand"
        )
    return definition.kind


def _numbers(file: Path, arms: list[str], kind: MetricKind) -> dict[str, Numbers] | None:
    """Each arm's numbers from a tool's CSV, or ``None`` once its problems are printed."""
    shown = file.as_posix()  # as the author typed it: the export may live anywhere
    try:
        if file.stat().st_size > MAX_DATA_BYTES:
            raise CommandError(f"{shown} is larger than {MAX_DATA_BYTES // 1_000_000} MB")
        text = decode(file.read_bytes(), shown)
    except OSError as exc:
        raise CommandError(f"cannot read {shown}: {exc.strerror or exc}") from None
    except SourceError as exc:
        raise CommandError(exc.problem.format(), EXIT_PROBLEMS) from None
    header = next((r for r in csv_rows(text, shown) if isinstance(r, CsvRow)), None)
    rows = DAILY if header is not None and "date" in header.cells else TOTALS
    data, problems = read_daily(text, shown, arms, rows)
    if data is None:
        for problem in problems:
            print(problem.format())
        print(f"{plural(len(problems), 'problem')} in {shown}", file=sys.stderr)
        return None
    if data.kind is not kind:
        raise CommandError(
            f"{shown} has the columns of a {data.kind.value}, but the metric is a {kind.value}"
        )
    return totals(data)


def _results_lines(numbers: dict[str, Numbers], arms: list[str]) -> list[str]:
    """``results:`` and one aligned flow mapping per arm, as the guide writes them."""
    width = max(len(arm) for arm in arms) + 1
    lines = ["results:"]
    for arm in arms:
        lines.append(f"  {f'{arm}:':<{width}} {{{_flow(numbers[arm])}}}")
    return lines


def _flow(numbers: Numbers) -> str:
    if isinstance(numbers, Summary):
        return f"n: {numbers.n}, mean: {_decimal(numbers.mean)}, sd: {_decimal(numbers.sd)}"
    users, conversions = numbers
    return f"users: {users}, conversions: {conversions}"


def _decimal(x: float | None) -> str:
    """Four decimals at most, no trailing zeros: a pooled mean agrees to what is written."""
    return "null" if x is None else f"{x:.4f}".rstrip("0").rstrip(".")


def _told(numbers: dict[str, Numbers], arms: list[str]) -> list[str]:
    return [f"{arm} {{{_flow(numbers[arm])}}}" for arm in arms]


def _placed(
    lines: list[str],
    locate: Any,
    data: dict[str, Any],
    index: int | None,
    name: str,
    results: list[str],
) -> list[str]:
    """The file's lines with the metric's results block replaced, or added where it goes.

    ``locate`` gives the 1-based line and column of a value as the parser saw it; a
    block ends at the first later line indented no deeper than its key.
    """
    if index is not None and "results" in data["metrics"][index]:
        line, column = locate(("metrics", index, "results"))
        _block_style(lines[line - 1][: column - 1])
        start = line - 1
        end = _block_end(lines, start, column - 1)
        return [*lines[:start], *_indented(results, column - 1), *lines[end:]]
    if index is not None:  # the metric is listed without results: add them under it
        line, column = locate(("metrics", index, "name"))
        _block_style(lines[line - 1][: column - 1])
        end = _block_end(lines, line - 1, column - 1, item=True)
        return [*lines[:end], *_indented(results, column - 1), *lines[end:]]
    item = [f"- name: {name}", *("  " + r for r in results)]
    if data.get("metrics"):
        line, column = locate(("metrics", len(data["metrics"]) - 1))
        _block_style(lines[line - 1][: column - 1])
        end = _block_end(lines, line - 1, column - 1, item=True)
        return [*lines[:end], *_indented(item, column - 3), *lines[end:]]  # at the dash
    close = _closing_line(lines)
    return [*lines[:close], "metrics:", *_indented(item, 2), *lines[close:]]


def _block_style(before: str) -> None:
    """Refuse a key written inside a flow collection: its lines cannot be replaced alone."""
    if before.strip() not in ("", "-"):
        raise CommandError(
            "the metrics are written in flow style ([...] or {...}); write them as a block"
            " list, as the guide's template does, and run kaizen results again"
        )


def _block_end(lines: list[str], start: int, column: int, item: bool = False) -> int:
    """The line after a block that starts at ``start``, its key at ``column``; trailing
    blank and comment lines stay with what follows. ``item``: the key sits in a list item
    ("- name:"), whose sibling keys are indented to the key, not the dash."""
    end = start + 1
    for number in range(start + 1, len(lines)):
        text = lines[number]
        stripped = text.strip()
        if stripped == "---" or (stripped and len(text) - len(text.lstrip()) <= column - item):
            break
        if stripped and not stripped.startswith("#"):
            end = number + 1
    return end


def _closing_line(lines: list[str]) -> int:
    """The index of the line that closes the front-matter."""
    return next(i for i in range(1, len(lines)) if lines[i].strip() == "---")


def _indented(block: list[str], column: int) -> list[str]:
    return [" " * column + line for line in block]
