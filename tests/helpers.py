"""Small builders shared by the tests: a portal project in a temp folder, and write-ups."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from kaizen_portal.analysis.comparisons import Analysis, analyze
from kaizen_portal.build.loading import load_portfolio

ROOT = Path(__file__).resolve().parent.parent

# A valid concluded A/B test; tests override single fields to break it.
VALID: dict[str, Any] = {
    "id": "EXP-2099-001",
    "title": "Shorter checkout form",
    "status": "concluded",
    "decision": "ship",
    "owner": "Ana Ruiz",
    "team": "Web",
    "tags": ["checkout", "forms"],
    "hypothesis": "Removing the company field raises checkout completion.",
    "dates": {
        "build": "2099-03-01",
        "test": "2099-03-10",
        "learn": "2099-03-31",
        "end": "2099-04-04",
    },
    "arms": ["control", "short_form"],
    "metrics": [
        {
            "name": "checkout_completion",
            "primary": True,
            "results": {
                "control": {"users": 10000, "conversions": 812},
                "short_form": {"users": 10050, "conversions": 901},
            },
        },
        {
            "name": "order_value",
            "results": {
                "control": {"n": 812, "mean": 54.2, "sd": 20.1},
                "short_form": {"n": 901, "mean": 53.8, "sd": 21.0},
            },
        },
    ],
}


def front_matter(data: dict[str, Any], body: str = "## Background\n\nWhy we tried it.\n") -> str:
    return "---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n\n" + body


def make_project(tmp_path: Path, *, samples: bool = False) -> Path:
    """A portal project: the real catalog and config, and the samples only when asked."""
    project = tmp_path / "portal"
    project.mkdir(parents=True)
    shutil.copytree(ROOT / "site_config", project / "site_config")
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "theme", project / "theme")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copy(ROOT / "zensical.yml", project / "zensical.yml")
    if samples:
        shutil.copytree(ROOT / "experiments", project / "experiments")
        shutil.copytree(ROOT / "data", project / "data")
    else:
        (project / "experiments").mkdir()
        (project / "data").mkdir()
    return project


def write(project: Path, name: str, text: str | bytes) -> Path:
    path = project / "experiments" / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# The markers of the test running now (conftest sets them): a test that runs MkDocs must
# say so, so that `make test-fast` leaves it out.
MARKERS: set[str] = set()
SITE_MARKERS = {"site", "browser"}


# The engines a test may build the portal with: Zensical through `kaizen generate`.
ENGINES = ("mkdocs", "properdocs", "zensical")
ZENSICAL_DOCS = "build/zensical-docs"  # where zensical.yml reads the generated docs folder


def mkdocs(*args: str, engine: str = "mkdocs") -> list[str]:
    """The command line of a real MkDocs (or ProperDocs) run, for a test marked as building
    a site."""
    require_site_marker()
    assert engine in ENGINES, engine
    return [sys.executable, "-m", engine, *args]


def require_site_marker() -> None:
    if not MARKERS & SITE_MARKERS:
        raise RuntimeError("this test builds a site: mark it @pytest.mark.site")


def mkdocs_build(
    project: Path,
    site: Path,
    *,
    strict: bool,
    env: dict[str, str] | None = None,
    quiet: bool = True,
    engine: str = "mkdocs",
) -> subprocess.CompletedProcess[str]:
    """A real `mkdocs build` (or `properdocs build`, or `make site-zensical`'s two steps), as
    a user or CI runs it.

    Quiet, it logs errors only; MkDocs then does not count warnings against --strict.
    """
    if engine == "zensical":
        return zensical_build(project, site, strict=strict, env=env)
    command = mkdocs("build", "-f", str(project / "mkdocs.yml"), "-d", str(site), engine=engine)
    command += (["-q"] if quiet else []) + (["--strict"] if strict else [])
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        check=False,
    )


def zensical_build(
    project: Path, site: Path, *, strict: bool, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`kaizen generate` then `zensical build -f zensical.yml`, the site moved to ``site``.

    As with MkDocs, a strict build stops at the first problem; a plain one goes on with
    the folder, which is written all the same.
    """
    require_site_marker()
    environment = {**os.environ, **(env or {})}
    generate = [sys.executable, "-m", "kaizen_portal.cli", "--project", str(project)]
    generated = subprocess.run(
        [*generate, "generate", str(project / ZENSICAL_DOCS)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if generated.returncode != 0 and (strict or not (project / ZENSICAL_DOCS).is_dir()):
        return generated
    command = [sys.executable, "-m", "zensical", "build", "-f", str(project / "zensical.yml")]
    built = subprocess.run(
        [*command, *(["--strict"] if strict else [])],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if built.returncode == 0:
        shutil.rmtree(site, ignore_errors=True)
        shutil.move(project / "site-zensical", site)
    return subprocess.CompletedProcess(
        built.args,
        built.returncode,
        generated.stdout + built.stdout,
        generated.stderr + built.stderr,
    )


def analysed(tmp_path: Path, data: dict[str, Any], settings: str = "") -> Analysis:
    """One valid write-up, loaded and analysed with the real catalog."""
    project = make_project(tmp_path)
    if settings:
        (project / "site_config" / "portal.yml").write_text(settings, encoding="utf-8")
    write(project, "a.md", front_matter(data))
    portfolio = load_portfolio(project)
    assert portfolio.problems == ()
    return analyze(portfolio.entries[0], portfolio.catalog)


def always_valid_reference(
    control: float,
    variant: float,
    var_c: float,
    var_v: float,
    n: int,
    n_star: int,
    alpha: float,
    lowest: float = -np.inf,
    at: float | None = None,
) -> tuple[float, float, float]:
    """Reference: Waudby-Smith et al.'s asymptotic confidence sequence (Theorem 2.2) around
    the delta-method lift, rho tuned to N* at ``alpha`` as in Howard et al., read at ``at``
    (alpha unless given), written out with numpy; a rate's lift cannot fall below
    ``lowest`` = -100%."""
    lift = (variant - control) / abs(control)  # the sign of the difference below 0 too
    se = np.sqrt(var_v / control**2 + variant**2 * var_c / control**4)
    rho2 = (-2 * np.log(alpha) + np.log(-2 * np.log(alpha) + 1)) / n_star
    sigma = se * np.sqrt(n)
    half = sigma * np.sqrt(
        2 * (n * rho2 + 1) / (n**2 * rho2) * np.log(np.sqrt(n * rho2 + 1) / (at or alpha))
    )
    return lift, max(lift - half, lowest), lift + half
