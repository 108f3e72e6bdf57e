"""The importer's planner and helpers, one small input at a time.

``importing.plan``: ``plan_file`` in its three modes, the seed-layout tail parser
(DOMAIN SCOPE, HANDOFFS, OUTPUT FORMAT, FORBIDDEN, REFERENCES), the newline
bookkeeping of ``plan_items``, ``text_key`` and ``manifest_data``;
``importing.importer``: ``_merge_adjacent``, ``toml_text``, ``without_banner`` and
``first_difference``. Every test asserts the concrete result.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from assembler.importing.agentfile import AgentFile, read_agent_file
from assembler.importing.importer import _merge_adjacent, first_difference, toml_text, without_banner
from assembler.importing.plan import (
    LayoutText, Plan, Unplannable, manifest_data, plan_file, plan_items, text_key,
)
from assembler.importing.sections import Section

FRONT = "name: auditor\ndescription: Audits data.\n"
ROLE = "# ROLE\n\nYou audit data."
SHARED = "## Shared\n\nShared text."
DOMAIN = ("# DOMAIN SCOPE\n\n**In:**\n- checking splits\n- counting labels\n\n"
          "**Out (hand off):**\n- `planner` \u2014 the plan must change")
HANDOFFS = "# HANDOFFS\n\n- **planner** \u2014 the plan must change"
OUTPUT = ("# OUTPUT FORMAT\n\n```\n=== AUDITOR REPORT ===\nGoal: <one line>\n"
          "Leakage: <none | list>\nNext: <list>\n```")
FORBIDDEN = "# FORBIDDEN\n\n- editing the data"
REFERENCES = "# REFERENCES\n\n- `docs/agents.md` \u2014 catalog guide\n- `docs/data.md`"
FOOTER = "## Footer\n\nSign it."
SEED = [ROLE, SHARED, DOMAIN, HANDOFFS, OUTPUT, FORBIDDEN, REFERENCES, FOOTER]
CATALOG = LayoutText(("Goal: <one line>",), ("Next: <list>",),
                     ("`docs/agents.md` \u2014 catalog guide",))
NO_LAYOUT = LayoutText()


def body(*sections: str) -> str:
    """A body as the layout writes it: a blank line first, one between sections."""
    return "\n" + "\n\n".join(sections) + "\n"


@pytest.fixture
def agent(tmp_path):
    """``agent(body)``: an :class:`AgentFile` read from a real file."""
    def make(text: str, front: str = FRONT, name: str = "auditor", crlf: bool = False) -> AgentFile:
        path = tmp_path / f"{name}.md"
        data = "---\n" + front + "---\n" + text
        path.write_bytes((data.replace("\n", "\r\n") if crlf else data).encode())
        return read_agent_file(path, path.name, name)
    return make


def unplannable(file: AgentFile, mode: str = "layout", layout: LayoutText = NO_LAYOUT,
                shared: frozenset[str] = frozenset()) -> str:
    with pytest.raises(Unplannable) as info:
        plan_file(file, mode, set(shared), layout)
    return str(info.value)


# -- plan_file: the three modes --------------------------------------------------------------
def test_layout_mode_turns_the_seed_sections_into_fields(agent):
    plan = plan_file(agent(body(*SEED)), "layout", {SHARED, FOOTER}, CATALOG)
    assert plan.mode == "layout"
    assert plan.fields == {
        "role": "You audit data.\n",
        "domain_in": ["checking splits", "counting labels"],
        "handoff": [{"target": "planner", "trigger": "the plan must change"}],
        "output_extra_fields": ["Leakage: <none | list>"],
        "forbidden_domain": ["editing the data"],
        "references": {"extra": ["docs/data.md"]},
    }
    assert plan.items == [("block", SHARED)]
    assert plan.footer == [("block", FOOTER)]
    assert plan.block_texts() == [SHARED, FOOTER]


def test_layout_mode_keeps_unshared_sections_as_own_text(agent):
    plan = plan_file(agent(body(*SEED)), "layout", set(), CATALOG)
    assert (plan.items, plan.footer) == ([("text", SHARED)], [("text", FOOTER)])
    assert plan.block_texts() == []


def test_sections_mode_makes_shared_sections_blocks_and_the_rest_text(agent):
    plan = plan_file(agent(body("Intro line.", SHARED, "## Own\n\nmine")), "sections", {SHARED},
                     NO_LAYOUT)
    assert (plan.mode, plan.fields) == ("sections", {})
    assert plan.items == [("text", "Intro line."), ("block", SHARED), ("text", "## Own\n\nmine")]


def test_verbatim_mode_keeps_the_whole_body(agent):
    text = "no blank line first\n# ROLE\n"
    plan = plan_file(agent(text), "verbatim", {SHARED}, CATALOG)
    assert (plan.mode, plan.fields, plan.items, plan.footer) == ("verbatim", {"body": text}, [], [])


@pytest.mark.parametrize("mode", ["layout", "sections"])
def test_a_body_right_below_the_frontmatter_needs_verbatim(agent, mode):
    assert "without a blank line" in unplannable(agent(ROLE + "\n"), mode)


# -- the layout's structure ------------------------------------------------------------------
def test_a_file_without_seed_sections_is_not_layout(agent):
    assert unplannable(agent(body("## Notes\n\nplain"))) == "no seed-layout sections"


def test_role_must_be_followed_by_one_blank_line(agent):
    assert unplannable(agent(body("# ROLE\nYou audit.", FORBIDDEN))) == \
        "`# ROLE` is not followed by one blank line"
    # two blank lines before `# ROLE` are the same problem: lead must be exactly one
    assert unplannable(agent("\n" + body(ROLE, FORBIDDEN))) == \
        "`# ROLE` is not followed by one blank line"


def test_tail_sections_out_of_order_are_refused(agent):
    assert unplannable(agent(body(ROLE, FORBIDDEN, DOMAIN))) == \
        "the seed-layout sections are not in layout order"


def test_a_foreign_section_between_tail_sections_is_refused(agent):
    assert unplannable(agent(body(ROLE, DOMAIN, "## Aside\n\nx", FORBIDDEN))) == \
        "the seed-layout sections are not in layout order"


def test_tail_sections_need_single_blank_lines_between_them(agent):
    text = "\n" + ROLE + "\n\n" + DOMAIN + "\n\n\n" + FORBIDDEN + "\n"
    assert unplannable(agent(text)) == \
        "the seed-layout sections are not separated by single blank lines"


def test_tail_right_after_role_with_extra_blank_line_is_refused(agent):
    text = "\n" + ROLE + "\n\n\n" + FORBIDDEN + "\n"
    assert unplannable(agent(text)) == \
        "the seed-layout sections are not separated by single blank lines"


def test_only_a_tail_without_role(agent):
    plan = plan_file(agent(body(FORBIDDEN)), "layout", set(), NO_LAYOUT)
    assert plan.fields == {"forbidden_domain": ["editing the data"]}
    assert (plan.items, plan.footer) == ([], [])


def test_catalog_sections_the_file_lacks_make_layout_impossible(agent):
    no_output = [s for s in SEED if s is not OUTPUT]
    assert unplannable(agent(body(*no_output)), layout=CATALOG) == \
        "the catalog adds an OUTPUT FORMAT section this file does not have"
    no_refs = [s for s in SEED if s is not REFERENCES]
    assert unplannable(agent(body(*no_refs)), layout=CATALOG) == \
        "the catalog adds a REFERENCES section this file does not have"


# -- the tail parser ---------------------------------------------------------------------------
def fields_of(agent, *sections: str, layout: LayoutText = NO_LAYOUT) -> dict:
    return plan_file(agent(body(ROLE, *sections)), "layout", set(), layout).fields


def test_domain_scope_with_only_in(agent):
    fields = fields_of(agent, "# DOMAIN SCOPE\n\n**In:**\n- one\n- two")
    assert (fields["domain_in"], fields["handoff"]) == (["one", "two"], [])


def test_domain_scope_with_only_out(agent):
    fields = fields_of(agent, "# DOMAIN SCOPE\n\n**Out (hand off):**\n- `a/b` \u2014 when x")
    assert (fields["domain_in"], fields["handoff"]) == ([], [{"target": "a/b", "trigger": "when x"}])


@pytest.mark.parametrize("section, message", [
    ("# DOMAIN SCOPE\n\nWe check splits.", "`# DOMAIN SCOPE` is not in the layout's In / Out form"),
    ("# DOMAIN SCOPE\n\n**In:**\n* star item", "`# DOMAIN SCOPE` is not in the layout's In / Out form"),
    ("# DOMAIN SCOPE\n\n**Out (hand off):**\n- planner \u2014 no backticks",
     "a hand-off line of `# DOMAIN SCOPE` is not \"- `agent` \u2014 when\""),
    ("# DOMAIN SCOPE\n\n**Out (hand off):**\n- `planner` - a hyphen, not a dash",
     "a hand-off line of `# DOMAIN SCOPE` is not \"- `agent` \u2014 when\""),
    ("# HANDOFFS\n\n- planner: when", "`# HANDOFFS` is not a list of \"- **agent** \u2014 when\" lines"),
    ("# HANDOFFS\n- **planner** \u2014 no blank line",
     "`# HANDOFFS` is not a list of \"- **agent** \u2014 when\" lines"),
    ("# HANDOFFS\n\n- **planner** \u2014 the plan must change",
     "`# HANDOFFS` does not repeat the hand-offs of `# DOMAIN SCOPE`"),
    ("# OUTPUT FORMAT\n\n```\n=== PLANNER REPORT ===\nGoal: x\n```",
     "`# OUTPUT FORMAT` is not a fenced report starting `=== AUDITOR REPORT ===`"),
    ("# OUTPUT FORMAT\n\n```\n=== AUDITOR REPORT ===\n```",
     "`# OUTPUT FORMAT` is not a fenced report starting `=== AUDITOR REPORT ===`"),
    ("# OUTPUT FORMAT\n\n~~~\n=== AUDITOR REPORT ===\nGoal: x\n~~~",
     "`# OUTPUT FORMAT` is not a fenced report starting `=== AUDITOR REPORT ===`"),
    ("# FORBIDDEN\n\nNothing destructive.", "`# FORBIDDEN` is not a list"),
    ("# FORBIDDEN\n\n- one\n\n- two", "`# FORBIDDEN` is not a list"),
    ("# REFERENCES\n\n- plain path", "`# REFERENCES` does not match the catalog's fixed references"),
    ("# REFERENCES\n\nsee the docs", "`# REFERENCES` is not a list"),
])
def test_first_tail_section_that_does_not_parse_refuses_the_layout(agent, section, message):
    assert unplannable(agent(body(ROLE, section))) == message


def test_output_format_needs_the_catalogs_report_fields(agent):
    fields = ("# OUTPUT FORMAT\n\n```\n=== AUDITOR REPORT ===\nGoal: <one line>\nMine: x\n```")
    assert unplannable(agent(body(ROLE, fields)), layout=LayoutText(("Goal: <one line>",),
                                                                  ("Next: <list>",))) == \
        "`# OUTPUT FORMAT` does not have the catalog's report fields"
    assert fields_of(agent, fields, layout=LayoutText(("Goal: <one line>",))) == {
        "role": "You audit data.\n", "output_extra_fields": ["Mine: x"]}


def test_output_format_with_only_the_catalogs_fields_has_no_extra(agent):
    section = "# OUTPUT FORMAT\n\n```\n=== AUDITOR REPORT ===\nGoal: <one line>\nNext: <list>\n```"
    layout = LayoutText(("Goal: <one line>",), ("Next: <list>",))
    assert fields_of(agent, section, layout=layout)["output_extra_fields"] == []


def test_references_keep_fixed_lines_out_and_strip_backticks_from_extras(agent):
    layout = LayoutText(references=("`docs/agents.md` \u2014 catalog guide",))
    assert fields_of(agent, REFERENCES, layout=layout)["references"] == {"extra": ["docs/data.md"]}
    only_fixed = "# REFERENCES\n\n- `docs/agents.md` \u2014 catalog guide"
    assert "references" not in fields_of(agent, only_fixed, layout=layout)
    assert unplannable(agent(body(ROLE, "# REFERENCES\n\n- `other.md`")), layout=layout) == \
        "`# REFERENCES` does not match the catalog's fixed references"


def test_a_later_tail_section_that_does_not_parse_becomes_own_footer_text(agent):
    broken = "# FORBIDDEN\n\nNothing destructive."
    plan = plan_file(agent(body(ROLE, DOMAIN, broken, REFERENCES)), "layout", set(), NO_LAYOUT)
    assert plan.fields == {
        "role": "You audit data.\n",
        "domain_in": ["checking splits", "counting labels"],
        "handoff": [{"target": "planner", "trigger": "the plan must change"}],
    }
    assert plan.items == []
    assert plan.footer == [("text", broken + "\n\n" + REFERENCES)]


# -- plan_items: every newline accounted for ------------------------------------------------------
def sections(*parts: tuple[str, int]) -> list[Section]:
    return [Section(text, text if text.startswith("#") else None, gap) for text, gap in parts]


def test_plan_items_single_blank_lines_leave_texts_and_blocks_apart():
    items = plan_items(sections(("intro", 2), (SHARED, 2), ("## B\n\nb", 1)), 2, {SHARED}, True)
    assert items == [("text", "intro"), ("block", SHARED), ("text", "## B\n\nb")]


def test_plan_items_extra_blank_lines_before_a_block_go_into_the_text_above():
    items = plan_items(sections(("intro", 4), (SHARED, 1)), 2, {SHARED}, True)
    assert items == [("text", "intro\n\n"), ("block", SHARED)]


def test_plan_items_extra_blank_lines_after_a_block_go_into_the_text_below():
    items = plan_items(sections((SHARED, 3), ("## B\n\nb", 1)), 2, {SHARED}, True)
    assert items == [("block", SHARED), ("text", "\n## B\n\nb")]


def test_plan_items_no_blank_line_joins_a_block_and_its_neighbour_into_text():
    items = plan_items(sections((SHARED, 1), ("## B\n\nb", 1)), 2, {SHARED}, True)
    assert items == [("text", SHARED + "\n## B\n\nb")]


def test_plan_items_a_first_block_after_extra_blank_lines_stays_text():
    items = plan_items(sections((SHARED, 1)), 4, {SHARED}, True)
    assert items == [("text", "\n\n" + SHARED)]


def test_plan_items_the_trailing_gap_before_the_layout_counts():
    assert plan_items(sections((SHARED, 2)), 2, {SHARED}, False, trailing_gap=2) == [("block", SHARED)]
    assert plan_items(sections((SHARED, 3)), 2, {SHARED}, False, trailing_gap=3) == \
        [("text", SHARED + "\n")]
    assert plan_items([], 2, {SHARED}, True) == []


# -- text_key and manifest_data --------------------------------------------------------------------
def test_text_key_comes_from_the_first_heading_and_never_repeats():
    taken: set[str] = set()
    assert text_key("## My Notes, v2!\n\nbody", taken) == "my-notes-v2"
    assert text_key("\n\n## My notes v2\n", taken) == "my-notes-v2-2"
    assert text_key("## My notes v2", taken) == "my-notes-v2-3"
    assert text_key("plain words first\n## Later", taken) == "intro"
    assert text_key("more words", taken) == "intro-2"
    assert text_key("# !!!", taken) == "section"
    assert taken == {"my-notes-v2", "my-notes-v2-2", "my-notes-v2-3", "intro", "intro-2", "section"}


def test_manifest_data_names_blocks_and_own_texts_in_writing_order(agent):
    plan = plan_file(agent(body(*SEED)), "layout", {SHARED}, CATALOG)
    data = manifest_data(plan, {SHARED: "shared"})
    assert list(data) == ["name", "description", "role", "blocks", "footer", "domain_in",
                          "forbidden_domain", "output_extra_fields", "handoff", "references", "text"]
    assert (data["blocks"], data["footer"]) == (["shared"], ["@footer"])
    assert data["text"] == {"footer": FOOTER}


def test_manifest_data_records_crlf_final_newlines_and_pins(agent):
    front = "name: auditor\ndescription: 'Audits data.'\ncolor: blue\n"
    file = agent("\nJust text.\n\n\n", front=front, crlf=True)
    data = manifest_data(plan_file(file, "verbatim", set(), NO_LAYOUT), {})
    assert data == {  # the pinned description is the only copy: the loader reads it there
        "name": "auditor", "newline": "crlf", "final_newlines": 3,
        "body": "\nJust text.\n\n\n",
        "frontmatter": {"description": "'Audits data.'", "color": "blue"},
    }


def test_manifest_data_leaves_entries_the_layout_writes_alike_unpinned(agent):
    front = "name: auditor\ndescription: Audits data.\ntools: Read, Grep\nmodel: opus\n"
    data = manifest_data(plan_file(agent(body("Text."), front=front), "sections", set(), NO_LAYOUT), {})
    assert data == {"name": "auditor", "description": "Audits data.", "tools": ["Read", "Grep"],
                    "model": "opus", "blocks": ["@intro"], "text": {"intro": "Text."}}


# -- importer helpers ----------------------------------------------------------------------------
def plans(agent, *runs: list[tuple[str, str]]) -> dict[str, Plan]:
    file = agent(body("x"))
    return {f"a{i}": Plan(file, "sections", {}, list(run)) for i, run in enumerate(runs)}


A, B, C = ("block", "## A\n\na"), ("block", "## B\n\nb"), ("block", "## C\n\nc")
T = ("text", "own")
AB = ("block", "## A\n\na\n\n## B\n\nb")


def test_merge_adjacent_joins_blocks_that_always_appear_together(agent):
    found = plans(agent, [A, B, T], [T, A, B])
    _merge_adjacent(found, set())
    assert [p.items for p in found.values()] == [[AB, T], [T, AB]]


def test_merge_adjacent_follows_a_chain(agent):
    found = plans(agent, [A, B, C], [A, B, C])
    _merge_adjacent(found, set())
    assert [p.items for p in found.values()] == [[("block", AB[1] + "\n\n## C\n\nc")]] * 2


@pytest.mark.parametrize("runs", [
    ([A, B], [A, C]),  # A is followed by different blocks
    ([A, B], [B]),  # B is sometimes alone
    ([A, T, B], [A, T, B]),  # own text in between
    ([A, B], [B, A]),  # not always in the same order
])
def test_merge_adjacent_leaves_blocks_apart_otherwise(agent, runs):
    found = plans(agent, *runs)
    _merge_adjacent(found, set())
    assert [p.items for p in found.values()] == [list(run) for run in runs]


def test_merge_adjacent_skips_a_merge_that_failed_before(agent):
    found = plans(agent, [A, B], [A, B])
    _merge_adjacent(found, {AB[1]})
    assert [p.items for p in found.values()] == [[A, B], [A, B]]


def test_merge_adjacent_never_joins_across_body_and_footer(agent):
    found = plans(agent, [A], [A])
    for plan in found.values():
        plan.footer = [B]
    _merge_adjacent(found, set())
    assert [(p.items, p.footer) for p in found.values()] == [([A], [B])] * 2


def test_toml_text_keeps_key_order_and_puts_handoffs_and_tables_last():
    data = {"name": "a", "text": {"intro": "one\ntwo"}, "role": "You do.\n", "blocks": ["@intro"],
            "handoff": [{"target": "b", "trigger": "t"}], "frontmatter": {"color": "blue"}}
    text = toml_text(data)
    assert text == (
        'name = "a"\nrole = """\nYou do.\n"""\nblocks = [\n    "@intro",\n]\n'
        '\n[[handoff]]\ntarget = "b"\ntrigger = "t"\n'
        '\n[text]\nintro = """\none\ntwo"""\n'
        '\n[frontmatter]\ncolor = "blue"\n'
    )
    assert tomllib.loads(text) == data


def test_toml_text_escapes_carriage_returns_so_they_read_back():
    data = {"name": "a", "body": "line\r\nnext\r\n", "text": {"x": "a\r\nb", "y": "c\nd"}}
    text = toml_text(data)
    assert '"line\\r\\nnext\\r\\n"' in text and '"a\\r\\nb"' in text
    assert tomllib.loads(text) == data


def test_without_banner_drops_the_banner_and_the_blank_line_after_it(built_env):
    data = (built_env / "agents/alpha.md").read_bytes()
    lines = data.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(b"<!-- GENERATED"))
    assert lines[at + 1] == b"\n"
    assert without_banner(data) == b"".join(lines[:at] + lines[at + 2:])
    crlf = data.replace(b"\n", b"\r\n")
    assert without_banner(crlf) == b"".join(lines[:at] + lines[at + 2:]).replace(b"\n", b"\r\n")
    glued = b"".join(lines[:at + 1] + lines[at + 2:])  # no blank line after the banner
    assert without_banner(glued) == b"".join(lines[:at] + lines[at + 2:])


def test_without_banner_leaves_a_file_without_one_alone():
    data = b"---\nname: a\n---\n\n# ROLE\n"
    assert without_banner(data) == data


@pytest.mark.parametrize("actual, expected, line", [
    (b"a\nb\n", b"a\nb\n", None),
    (b"a\nb\n", b"a\nc\n", 2),
    (b"a\n", b"a\nb\n", 2),
    (b"a\nb\n", b"a\n", 2),
    (b"a\nb", b"a\nb\n", 2),  # only the final newline differs
    (b"a\r\n", b"a\n", 1),
    (b"", b"x", 1),
])
def test_first_difference_names_the_first_line_that_differs(actual, expected, line):
    assert first_difference(actual, expected) == line
