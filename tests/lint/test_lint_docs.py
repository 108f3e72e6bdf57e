"""docs/rules.md documents exactly the rules that exist, with their names and defaults."""

from __future__ import annotations

import re
from pathlib import Path

from assembler.lint.engine import RULES

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")


def test_rules_table_matches_the_registry():
    rows = re.findall(r"^\| (AA\d{3}) \| ([a-z-]+) \| ([a-z, ]+) \| ([a-z]+) \|$", DOCS, re.MULTILINE)
    expected = [
        (r.code, r.name, r.severity + ("" if r.enabled else ", off by default"), r.family)
        for r in RULES
    ]
    assert rows == expected


def test_every_rule_has_its_own_section_with_all_four_parts():
    sections = re.split(r"^#### ", DOCS, flags=re.MULTILINE)[1:]
    titles = [section.split("\n", 1)[0] for section in sections]
    assert titles == [f"{r.code} {r.name}" + (" (off by default)" if not r.enabled else "")
                      for r in RULES]
    for section in sections:
        for part in ("**Catches**", "**Why**", "**Fix**", "**Silence**"):
            assert part in section, (section.split("\n", 1)[0], part)


def test_readme_links_the_rules():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "docs/rules.md" in readme
