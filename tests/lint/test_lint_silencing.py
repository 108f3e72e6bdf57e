"""Inline `assembler: disable…` comments silence one line or one file, and nothing else."""

from __future__ import annotations

from assembler.lint.engine import BY_CODE, lint
from assembler.lint.suppress import read_silencer
from lint_catalog import DEFECTS


def _codes(report) -> list[str]:
    return [f.code for f in report.findings]


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_html_comment_on_the_same_line(clean, today):
    DEFECTS["AA402"](clean)
    _edit(clean / "_blocks/tone.md", "<FILL ME>.", "<FILL ME>. <!-- assembler: disable=AA402 -->")
    report = lint(clean, today=today)
    assert _codes(report) == [] and report.silenced == 1


def test_comment_alone_on_a_line_covers_the_next_line(clean, today):
    DEFECTS["AA104"](clean)
    _edit(clean / "_blocks/rules.md", "## Notes", "{# assembler: disable=AA104 #}\n## Notes")
    assert _codes(lint(clean, today=today)) == []


def test_comment_covers_only_its_line_and_the_next(clean, today):
    DEFECTS["AA104"](clean)
    _edit(clean / "_blocks/rules.md", "## Notes", "{# assembler: disable=AA104 #}\n\n## Notes")
    assert _codes(lint(clean, today=today)) == ["AA104"]


def test_comment_silences_only_the_codes_it_names(clean, today):
    DEFECTS["AA402"](clean)
    _edit(clean / "_blocks/tone.md", "<FILL ME>.", "<FILL ME>. <!-- assembler: disable=AA401, AA501 -->")
    assert _codes(lint(clean, today=today)) == ["AA402"]


def test_disable_file_in_a_block(clean, today):
    DEFECTS["AA104"](clean)
    DEFECTS["AA501"](clean)
    _edit(clean / "_blocks/rules.md", "# Rules\n", "# Rules\n{# assembler: disable-file=AA104,AA501 #}\n")
    report = lint(clean, today=today)
    assert _codes(report) == [] and report.silenced == 2


def test_toml_comment_on_a_manifest_line(clean, today):
    DEFECTS["AA801"](clean)
    _edit(clean / "_manifests/alpha.toml", 'tools = ["Read", "Bash"]',
          'tools = ["Read", "Bash"]  # assembler: disable=AA801')
    assert _codes(lint(clean, today=today)) == []


def test_toml_disable_file(clean, today):
    DEFECTS["AA701"](clean)
    path = clean / "_manifests/alpha.toml"
    path.write_text("# assembler: disable-file=AA701\n" + path.read_text())
    assert _codes(lint(clean, today=today)) == []


def test_block_frontmatter_takes_hash_comments(clean, today):
    DEFECTS["AA504"](clean)
    _edit(clean / "_blocks/tone.md", 'deprecated: "fold into rules"',
          'deprecated: "fold into rules"  # assembler: disable=AA504')
    assert _codes(lint(clean, today=today)) == []


def test_hash_comment_in_a_markdown_body_is_not_a_directive(clean, today):
    DEFECTS["AA803"](clean)
    _edit(clean / "_blocks/spare.md", "Nobody uses this.", "Nobody uses this. # assembler: disable-file=AA803")
    assert _codes(lint(clean, today=today)) == ["AA803"]


def test_unreadable_and_unknown_directives_are_reported(clean, today):
    _edit(clean / "_blocks/tone.md", "Plain words",
          "{# assembler: disable=AA104 #}{# assembler: silence=AA104 #}{# assembler: disable= #}\n"
          "<!-- assembler: disable=AA1040,AA401 -->\nPlain words")
    messages = [(f.code, f.line, f.message) for f in lint(clean, today=today).findings]
    assert messages == [
        ("AA001", 8, "cannot read the `assembler:` comment `silence=AA104`"),
        ("AA001", 8, "the `assembler:` comment names no rule code"),
        ("AA001", 9, "`AA1040` is not a rule code; the comment silences nothing for it"),
    ]


def test_silencer_reads_codes_case_insensitively():
    silencer = read_silencer("x.md", ["<!-- assembler: disable-file=aa104 -->"], True, BY_CODE)
    assert silencer.whole_file == {"AA104"} and silencer.problems == []


def test_markdown_file_outside_the_catalog_can_silence_itself(clean, today):
    DEFECTS["AA301"](clean)
    assert _codes(lint(clean, today=today)) == ["AA301"]
    path = clean / "claude.md"
    path.write_text("<!-- assembler: disable-file=AA301 -->\n" + path.read_text())
    assert _codes(lint(clean, today=today)) == []
