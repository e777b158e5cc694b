"""The version is written once (solver/__init__.py); the citation file and the changelog agree
with it, and the installed metadata is the same version."""

from __future__ import annotations

import re
from importlib.metadata import version

import yaml

import vip_transport.solver as solver
from conftest import ROOT


def test_citation_changelog_and_metadata_carry_the_one_version():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == solver.__version__
    newest = re.search(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M).group(1)
    assert newest == solver.__version__
    assert version("vip-transport") == solver.__version__


def test_license_is_the_declared_one():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "license = MIT" in (ROOT / "setup.cfg").read_text(encoding="utf-8")
