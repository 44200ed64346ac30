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
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from ..inputs.csv_lines import CsvRow, csv_rows
from ..inputs.daily_cells import DAILY, TOTALS
from ..inputs.daily_csv import read_daily
from ..inputs.daily_totals import Summary, totals
from ..inputs.files import MAX_DATA_BYTES, decode, read_write_up
from ..inputs.portfolio import load_entry
from ..inputs.positioned_yaml import parse_front_matter
from ..inputs.problems import Problem, SourceError, did_you_mean, plural
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
    listed = data.get("metrics") if isinstance(data.get("metrics"), list) else []
    metrics = [m for m in listed if isinstance(m, dict)]
    name = args.metric or _primary(metrics)
    if name is None:
        raise CommandError(f"{shown} lists no metric yet: name one with --metric NAME")
    kind = _kind(project, name)
    numbers = _numbers(Path(args.file), arms, kind)
    if numbers is None:
        return EXIT_PROBLEMS
    index = next(
        (i for i, m in enumerate(listed) if isinstance(m, dict) and m.get("name") == name), None
    )
    edit = _edit(text.split("\n"), source.locate, data, index, name, _results_lines(numbers, arms))
    edited = _spliced(raw, edit)
    catalog = project.catalog()
    problems = load_entry(path, shown, catalog, project.root, raw=edited).problems
    new = _new_problems(load_entry(path, shown, catalog, project.root, raw=raw).problems, problems)
    if new:
        raise CommandError(
            "the results would not pass the checks, so nothing was written:\n"
            + "\n".join(p.format() for p in new),
            EXIT_PROBLEMS,
        )
    path.write_bytes(edited)
    print(f"{shown}: {name} results from {args.file}: " + "; ".join(_told(numbers, arms)))
    if problems:
        print(f"{shown} has {plural(len(problems), 'other problem')}:", file=sys.stderr)
        for problem in problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _new_problems(before: list[Problem], after: list[Problem]) -> list[Problem]:
    """The problems the edit would bring: any the file did not have (lines aside), so a
    file that reads and passes as well as it did before is all that is ever written."""
    had = Counter((p.field, p.message, p.expected, p.found) for p in before)
    new = []
    for problem in after:
        key = (problem.field, problem.message, problem.expected, problem.found)
        if had[key]:
            had[key] -= 1
        else:
            new.append(problem)
    return new


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
        with file.open("rb") as stream:  # read at most the limit: /dev/zero has no size
            raw = stream.read(MAX_DATA_BYTES + 1)
        if len(raw) > MAX_DATA_BYTES:
            raise CommandError(f"{shown} is larger than {MAX_DATA_BYTES // 1_000_000} MB")
        text = decode(raw, shown)
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
    keys = {arm: _key(arm) for arm in arms}
    width = max(len(key) for key in keys.values()) + 1
    lines = ["results:"]
    for arm in arms:
        lines.append(f"  {f'{keys[arm]}:':<{width}} {{{_flow(numbers[arm])}}}")
    return lines


def _key(arm: str) -> str:
    """An arm as a YAML key: quoted where YAML would read it as something else (yes, null,
    123), as the write-up's own arms list must quote it."""
    return arm if yaml.safe_load(f"{arm}: 0") == {arm: 0} else json.dumps(arm)


def _flow(numbers: Numbers) -> str:
    if isinstance(numbers, Summary):
        return f"n: {numbers.n}, mean: {_decimal(numbers.mean)}, sd: {_decimal(numbers.sd)}"
    users, conversions = numbers
    return f"users: {users}, conversions: {conversions}"


def _decimal(x: float | None) -> str:
    """Four decimals, or four significant digits below 1 (0.00004 stays 0.00004), with no
    trailing zeros: a pooled mean agrees to what is written."""
    if x is None:
        return "null"
    if x == 0:
        return "0"
    digits = min(15, max(4, 3 - math.floor(math.log10(abs(x)))))
    return f"{x:.{digits}f}".rstrip("0").rstrip(".")


def _told(numbers: dict[str, Numbers], arms: list[str]) -> list[str]:
    return [f"{arm} {{{_flow(numbers[arm])}}}" for arm in arms]


Edit = tuple[int, int, list[str]]  # replace lines [start, end) by these


def _edit(
    lines: list[str],
    locate: Any,
    data: dict[str, Any],
    index: int | None,
    name: str,
    results: list[str],
) -> Edit:
    """Where the metric's results block goes, and its lines.

    ``locate`` gives the 1-based line and column of a value as the parser saw it; a
    block ends at the first later line (comments aside) indented no deeper than its key.
    """
    if index is not None and "results" in data["metrics"][index]:
        line, column = locate(("metrics", index, "results"))
        start, key = line - 1, column - 1
        prefix = _block_style(lines[start][:key])  # "  - " when results is the first key
        block = _indented(results, key)
        return start, _block_end(lines, start, key), [prefix + results[0], *block[1:]]
    if index is not None:  # the metric is listed without results: add them under it
        line, column = locate(("metrics", index, "name"))
        _block_style(lines[line - 1][: column - 1])
        end = _block_end(lines, line - 1, column - 1, item=True)
        return end, end, _indented(results, column - 1)
    item = [f"- name: {name}", *("  " + r for r in results)]
    if data.get("metrics"):
        line, column = locate(("metrics", len(data["metrics"]) - 1))
        _block_style(lines[line - 1][: column - 1])
        end = _block_end(lines, line - 1, column - 1, item=True)
        return end, end, _indented(item, column - 3)  # at the dash
    if "metrics" in data:  # `metrics:` or `metrics: []`, with nothing in it yet
        line, column = locate(("metrics",))
        _block_style(lines[line - 1][: column - 1])
        return line - 1, line, ["metrics:", *_indented(item, 2)]
    close = _closing_line(lines)
    return close, close, ["metrics:", *_indented(item, 2)]


def _block_style(before: str) -> str:
    """What precedes a key on its line ("" or "  - "); a key inside a flow collection is
    refused, as its lines cannot be replaced alone."""
    if before.strip() not in ("", "-"):
        raise CommandError(
            "the metrics are written in flow style ([...] or {...}); write them as a block"
            " list, as the guide's template does, and run kaizen results again"
        )
    return before


def _block_end(lines: list[str], start: int, column: int, item: bool = False) -> int:
    """The line after a block that starts at ``start``, its key at ``column``; trailing
    blank and comment lines stay with what follows, and a comment never ends a block.
    ``item``: the key sits in a list item ("- name:"), whose sibling keys are indented to
    the key, not the dash."""
    end = start + 1
    for number in range(start + 1, len(lines)):
        text = lines[number]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped == "---" or len(text) - len(text.lstrip()) <= column - item:
            break
        end = number + 1
    return end


def _closing_line(lines: list[str]) -> int:
    """The index of the line that closes the front-matter."""
    return next(i for i in range(1, len(lines)) if lines[i].strip() == "---")


def _indented(block: list[str], column: int) -> list[str]:
    return [" " * column + line for line in block]


def _spliced(raw: bytes, edit: Edit) -> bytes:
    """The file's bytes with the edit made, every other line and line end as it was: the
    new lines end as the line before them does."""
    start, end, new = edit
    mark = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    pieces = re.split(r"(\r\n|\r|\n)", raw.decode("utf-8-sig"))
    lines, ends = pieces[0::2], pieces[1::2]
    own = ends[start - 1] if 0 < start <= len(ends) else (ends[0] if ends else "\n")
    out: list[str] = []
    for number in range(start):
        out += [lines[number], ends[number]]
    for line in new:
        out += [line, own]
    if end > start:  # the last new line ends as the last replaced one did
        out[-1] = ends[end - 1] if end - 1 < len(ends) else ""
    for number in range(end, len(lines)):
        out += [lines[number], ends[number] if number < len(ends) else ""]
    return mark + "".join(out).encode("utf-8")
