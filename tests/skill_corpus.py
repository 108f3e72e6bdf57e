"""A small collection of hand-written skill folders with the habits real ones have.

Category folders above the skills, a ``skill.md`` that clients on a
case-sensitive file system never load, a name that is not its folder's, keys
outside the standard (Claude Code's own and unknown ones), ``{{`` in a body,
supporting files (an executable script, a binary asset, a hidden file), sections
several skills share, and an agent beside them that shares one too. Each entry
is the exact bytes of one file, relative to the corpus folder; MODES names the
files that are executable.
"""

HANDOFF = """## Handing back

Reply with three lines: what was checked, what failed, and the command that
reproduces the failure. Say `nothing failed` when that is the case."""

LIMITS = """## Limits

Read files only inside the repository. Never print a secret, a token or a
password, even when a file holds one."""

SKILLS: dict[str, bytes] = {
    # Nested under a category; a script and a reference; a shared section; `{{` in the body.
    "skills/data/etl-check/SKILL.md": f"""---
name: etl-check
description: Checks an extract-transform-load job's output against the rules in references/rules.md before the table is published.
license: Apache-2.0
allowed-tools: Read Bash(sh scripts/check.sh *)
---

# ETL check

Run the checker on the staged table, then read the rules it broke.

## Steps

1. `sh scripts/check.sh <table>` prints one line per broken rule.
2. Look each rule up in [the rules](references/rules.md).
3. Column templates look like `{{{{ column }}}}_clean`; a name still holding
   `{{{{` was never filled in, which is itself a broken rule.

{HANDOFF}

{LIMITS}
""".encode(),
    "skills/data/etl-check/scripts/check.sh": b"""#!/bin/sh
# Prints the rules a staged table breaks (a stand-in for the real checker).
table="${1:?usage: check.sh TABLE}"
echo "checked $table: 0 rules broken"
""",
    "skills/data/etl-check/references/rules.md": b"""# Rules

- R1: no column is entirely empty.
- R2: every date column parses as ISO 8601.
- R3: no column name still holds a template marker.
""",
    # The non-canonical file name; a Jinja2 statement in a shared section's neighbour.
    "skills/data/schema-diff/skill.md": f"""---
name: schema-diff
description: Compares two versions of a table schema and lists added, removed and retyped columns.
---

# Schema diff

Give it the old and the new schema; it says what a consumer of the table has to change.
Template tags such as {{% if column.nullable %}} in a schema file are text, not code.

{HANDOFF}

{LIMITS}
""".encode(),
    # A name other than its folder, Claude Code's own keys, keys no tool defines,
    # metadata with a number, and a comment in the frontmatter.
    "skills/writing/release-notes/SKILL.md": f"""---
name: Release Notes Writer
description: "Writes release notes from the merged changes since the last tag: one line per user-visible change."
argument-hint: "[since-tag]"
disable-model-invocation: true
x-owner-team: docs   # who to ask
metadata:
  version: 3
  reviewed: "2025-05"
---

# Release notes

List the merged changes since the tag, drop the internal ones, and write one line per change
in the words a user would use.

{HANDOFF}
""".encode(),
    "skills/writing/release-notes/assets/header.png": bytes(range(256)) + b"\x89PNG\r\n\x1a\n",
    "skills/writing/release-notes/.keep": b"",
    # when_to_use in the frontmatter and as a section of the body; no blank line
    # after the closing fence (the one repair).
    "skills/writing/style-guide/SKILL.md": f"""---
name: style-guide
description: Applies the house style to a document.
when_to_use: When a document is about to be published or sent outside the team.
compatibility: Works offline.
---
# Style guide

Rewrite the text in plain words, short sentences and the active voice.

## When to use

When a document is about to be published or sent outside the team.

{LIMITS}
""".encode(),
    # Not a skill and not an agent: listed as skipped.
    "skills/README.md": b"# Skills\n\nOne folder per skill.\n",
    # An agent that shares a section with the skills.
    "agents/checker.md": f"""---
name: checker
description: Runs the data checks and reports what failed.
tools: Read, Bash
---

You run the data checks the team relies on.

{HANDOFF}
""".encode(),
}

MODES = {"skills/data/etl-check/scripts/check.sh": 0o755}

# Status of each SKILL.md (or skill.md) and agent file after import.
EXPECT = {
    "skills/data/etl-check/SKILL.md": "identical",
    "skills/data/schema-diff/skill.md": "repaired",
    "skills/writing/release-notes/SKILL.md": "identical",
    "skills/writing/style-guide/SKILL.md": "repaired",
    "agents/checker.md": "identical",
}
