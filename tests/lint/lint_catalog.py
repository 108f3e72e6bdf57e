"""A small catalog that passes every lint rule, and one planted defect per rule.

``write_clean(root)`` writes the catalog; ``DEFECTS[code](root)`` edits it so
that exactly rule ``code`` fires once. The defects touch different lines, so
all of them can be planted together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

TODAY = "2026-05-01"

FILES = {
    "assembler.toml": '''\
output = "agents"
required_blocks = ["footer"]

[vars]
team = "platform"

[lint]
enable = ["AA202"]
freshness_months = 6

[lint.required_sections]
agent = ["ROLE", "Rules", "Tone", "Report footer"]

[lint.budgets]
bytes = 5000
lines = 150
tokens = 1500
targets = ["skill"]
''',
    "docs/guide.md": "# Guide\n\n## Setup\n\nInstall it.\n",
    "_blocks/rules.md": '''\
---
description: Shared working rules.
---
# Rules

## Contents

1. Basics
2. Limits

## 1. Basics

Work for the {{ vars.team }} team. Read `docs/guide.md` first.

## 2. Limits

Prices verified 2026-03.
''',
    "_blocks/tone.md": '''\
---
description: How to write.
deprecated: "fold into rules"
removed_after: 2026-12-31
---
# Tone

Plain words, short sentences.
''',
    "_blocks/footer.md": '''\
---
placement: footer
---
## Report footer

End with `DONE`.
''',
    "_blocks/policy/read-only.md": "## Read-only\n\nChange nothing.\n",
    "_roles/reader.toml": '''\
blocks = ["policy/read-only"]
tools_allowed = ["Read", "Grep"]
''',
    "_manifests/alpha.toml": '''\
name = "alpha"
description = "Reads the code and answers questions about it."
tools = ["Read"]
substrate_role = "reader"
role = """
You are alpha. Start with [the setup guide](../docs/guide.md#setup).
"""
blocks = ["rules", "tone", "footer"]

[[handoff]]
target = "team/beta"
trigger = "the answer needs a second opinion"
cycle_reason = "beta hands a question back only when it needs more code read; one round trip"
''',
    "_manifests/team/beta.toml": '''\
name = "beta"
description = "Reviews answers for accuracy."
tools = ["Read", "Grep"]
role = """
You are beta. See [the guide](../../docs/guide.md).
"""
blocks = ["rules", "tone", "footer"]

[[handoff]]
target = "alpha"
trigger = "more code must be read"
''',
    "_manifests/gamma.toml": '''\
name = "gamma"
description = "Writes short summaries."
tools = ["Read"]
role = """
You are gamma.
"""
blocks = ["rules", "tone", "footer"]
''',
}


def write_clean(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(root: Path, rel: str, text: str) -> None:
    with (root / rel).open("a", encoding="utf-8") as handle:
        handle.write(text)


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


FAKE_GITHUB_TOKEN = "ghp_" + "Zx81Qp0LmT4vW9rKc2Ns7Hd5Jf3Gb6Ye1Ua8"
FAKE_API_TOKEN = "f3K9x2LmQ8vR4tZ7pW1n"

DEFECTS: dict[str, Callable[[Path], None]] = {
    "AA001": lambda r: _edit(r, "_blocks/tone.md", "Plain words", "{# assembler: disable=AA999 #}\nPlain words"),
    "AA101": lambda r: _edit(r, "_manifests/team/beta.toml", '"rules", "tone", "footer"', '"rules", "footer"'),
    "AA102": lambda r: _edit(r, "_manifests/alpha.toml", '"rules", "tone", "footer"', '"tone", "rules", "footer"'),
    "AA103": lambda r: _edit(r, "_blocks/tone.md", "short sentences.\n", "short sentences.\n\n# Tone\n\nStill calm.\n"),
    "AA104": lambda r: _edit(r, "_blocks/rules.md", "Prices verified 2026-03.\n", "Prices verified 2026-03.\n\n## Notes\n"),
    "AA105": lambda r: _edit(r, "_blocks/tone.md", "# Tone\n", "# Tone\n\n### Register\n\nNeutral.\n"),
    "AA106": lambda r: (
        _append(r, "assembler.toml", "\n[layout]\nquote_frontmatter = false\n"),
        _edit(r, "_manifests/gamma.toml", 'description = "Writes short summaries."',
              'description = "Writes: short summaries."'),
    ),
    "AA201": lambda r: _edit(r, "_manifests/gamma.toml", "You are gamma.", "You are gamma. Follow [the style](../docs/style.md)."),
    "AA202": lambda r: _edit(r, "_blocks/rules.md", "Read `docs/guide.md` first.", "Read `docs/guide.md` and `docs/faq.md` first."),
    "AA203": lambda r: _edit(r, "_blocks/rules.md", "2. Limits\n", "2. Limits\n3. Escalation\n"),
    "AA301": lambda r: _write(r, "claude.md", "Notes for people, not an agent.\n"),
    "AA302": lambda r: (
        (r / "_blocks/Policy").mkdir(),
        (r / "_blocks/policy/read-only.md").rename(r / "_blocks/Policy/read-only.md"),
        (r / "_blocks/policy").rmdir(),
        _edit(r, "_roles/reader.toml", '"policy/read-only"', '"Policy/read-only"'),
    ),
    "AA303": lambda r: _write(r, "_manifests/extra/gamma.toml", FILES["_manifests/gamma.toml"]),
    "AA401": lambda r: _edit(r, "_manifests/team/beta.toml", "You are beta.", "You are beta, for {{ vars.team }}."),
    "AA402": lambda r: _edit(r, "_blocks/tone.md", "short sentences.", "short sentences. Sign as <FILL ME>."),
    "AA501": lambda r: _edit(r, "_blocks/rules.md", "## 2. Limits\n", "## 2. Limits\n\nRates verified 2025-01.\n"),
    "AA502": lambda r: _edit(r, "_blocks/rules.md", "first.\n", "first. Paths verified March.\n"),
    "AA503": lambda r: _edit(r, "_manifests/alpha.toml", 'tools = ["Read"]\n',
                             'tools = ["Read"]\ndeprecated = "use beta"\nremoved_after = 2026-01-31\n'),
    "AA504": lambda r: _edit(r, "_blocks/tone.md", "removed_after: 2026-12-31\n", ""),
    "AA601": lambda r: _edit(r, "assembler.toml", 'team = "platform"\n',
                             f'team = "platform"\nbot = "{FAKE_GITHUB_TOKEN}"\n'),
    "AA602": lambda r: _append(r, "_manifests/gamma.toml", f'\n[vars]\napi_token = "{FAKE_API_TOKEN}"\n'),
    "AA701": lambda r: _edit(r, "_manifests/alpha.toml", "You are alpha.", "You are alpha. " + "語" * 1500),
    "AA702": lambda r: _edit(r, "_manifests/team/beta.toml", "guide.md).", "guide.md)." + "\n-" * 120),
    "AA703": lambda r: _edit(r, "_manifests/gamma.toml", "You are gamma.", "You are gamma. " + "a " * 1500),
    "AA704": lambda r: _edit(r, "_manifests/team/beta.toml", 'description = "Reviews answers for accuracy."',
                             'description = "Reviews answers for accuracy.' + " In depth." * 110 + '"'),
    "AA705": lambda r: _write(r, "_skills/long/skill.toml",
                              'name = "long"\ndescription = "A skill with a very long body."\n'
                              'blocks = ["@body"]\n[text]\nbody = """\n# Long\n\n'
                              + "".join(f"- step {n}\n" for n in range(600)) + '"""\n'),
    "AA801": lambda r: _edit(r, "_manifests/alpha.toml", 'tools = ["Read"]', 'tools = ["Read", "Bash"]'),
    "AA802": lambda r: _edit(r, "_manifests/alpha.toml", "cycle_reason = ", "# cycle_reason = "),
    "AA803": lambda r: _write(r, "_blocks/spare.md", "# Spare\n\nNobody uses this.\n"),
    "AA804": lambda r: _edit(r, "_manifests/gamma.toml", '"rules", "tone", "footer"', '"rules", "tone", "footer", "tone"'),
    "AA805": lambda r: (
        _edit(r, "assembler.toml", 'required_blocks = ["footer"]\n',
              'required_blocks = ["footer"]\nplugin = { name = "team-agents" }\n'),
        _append(r, "_manifests/alpha.toml", '\n[targets.claude-code]\npermissionMode = "plan"\n')),
}
