"""Pictures of the graph, drawn by Graphviz's `dot` program when it is installed."""

from __future__ import annotations

import shutil
import subprocess

from pipedoctor.errors import UserError

INSTALL_HINT = (
    "drawing needs Graphviz's `dot` program, which is not installed "
    "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
    "or write --format dot and draw it elsewhere"
)
MAX_DRAWN_NODES = 2000  # beyond this dot takes minutes and the picture says nothing
PICTURE_FORMATS = ("svg", "png")


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def render(dot_source: str, picture_format: str, node_count: int) -> bytes:
    """SVG or PNG bytes for a DOT document."""
    if picture_format not in PICTURE_FORMATS:
        raise ValueError(picture_format)
    if node_count > MAX_DRAWN_NODES:
        raise UserError(
            f"the graph has {node_count} nodes, too many to draw (at most {MAX_DRAWN_NODES}): "
            "draw a query's subgraph instead (e.g. graph what-can ROLE --format svg)"
        )
    program = shutil.which("dot")
    if program is None:
        raise UserError(INSTALL_HINT)
    try:
        result = subprocess.run(
            [program, f"-T{picture_format}"],
            input=dot_source.encode(),
            capture_output=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UserError("Graphviz took more than 5 minutes to draw the graph") from None
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise UserError(
            f"Graphviz failed: {message[0] if message else 'exit ' + str(result.returncode)}"
        )
    return result.stdout
