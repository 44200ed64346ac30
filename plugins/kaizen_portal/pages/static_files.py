"""The files every portal serves as they are: its styles, its scripts, one plotly.js.

They are the browser's half of the pages: ``kaizen.css`` styles their markup and names
the colours charts use, ``charts.js`` draws the figures, ``browse.js`` filters the
index, ``search.js`` puts the search box in the header.
"""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).parent / "assets"
FOLDER = "assets/kaizen"  # where they are served, under the site root
STYLESHEET = f"{FOLDER}/kaizen.css"
SCRIPTS = (f"{FOLDER}/charts.js", f"{FOLDER}/browse.js", f"{FOLDER}/search.js")


PLOTLY = "plotly-basic.min.js"  # see assets/vendor/README.md
PLOTLY_URI = f"{FOLDER}/{PLOTLY}"


def static_files() -> dict[str, Path]:
    """Where each file is served, and where it is read from.

    plotly.js ships with the portal, never from a CDN: company intranets are often
    offline. charts.js loads it from beside itself, only once a chart is near the screen.
    """
    own = {f"{FOLDER}/{name}": ASSETS / name for name in ("kaizen.css", *_names(SCRIPTS))}
    return {**own, PLOTLY_URI: ASSETS / "vendor" / PLOTLY}


def _names(served: tuple[str, ...]) -> list[str]:
    return [path.rsplit("/", 1)[1] for path in served]
