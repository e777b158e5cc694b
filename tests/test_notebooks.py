"""The notebooks read as finished documents (they run as tests through nbmake; this checks their
text and shape): no draft text (issue numbers, fallbacks for modules that exist, a ledger built
differently from `vip-transport paper`'s), an opening that lists every numbered section, and a
last cell that checks the physics shown and fails with a message."""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _read(path):
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_draft_text(path):
    nb = _read(path)
    text = "\n".join(c.source for c in nb.cells)
    assert not re.search(r"\bissues? #?\d", text, re.I), "a notebook cites an issue number"
    assert "ImportError" not in text, "a fallback for a module that might be missing: the modules exist"
    assert not re.search(r"not (yet )?available|has not landed|when available", text, re.I), "text about missing code"
    assert "check_dimensions" not in text, "build the ledger as `vip-transport paper` does (its defaults)"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"^\s*(from|import) solver\b", code, re.M), "use the installed vip_transport.solver"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_opening_lists_every_section_and_the_check(path):
    nb = _read(path)
    opening = nb.cells[0].source
    listed = [int(k) for k in re.findall(r"^(\d+)\. \*\*", opening, re.M)]
    headings = [int(k) for c in nb.cells[1:] if c.cell_type == "markdown"
                for k in re.findall(r"^## (\d+)\.", c.source, re.M)]
    assert headings and listed == headings, f"opening lists sections {listed}, the notebook has {headings}"
    assert "The last cell checks the physics" in opening


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_ends_with_a_loud_physics_check(path):
    nb = _read(path)
    check, intro = nb.cells[-1], nb.cells[-2]
    assert check.cell_type == "code" and intro.cell_type == "markdown"
    assert intro.source.startswith("## Check: the physics of this notebook")
    assert re.search(r"^assert not problems, .+", check.source, re.M), "the check must fail with a message"
    assert "problems.append(" in check.source
