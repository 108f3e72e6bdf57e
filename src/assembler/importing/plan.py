"""Planning one imported agent: which sections become fields, blocks or own text.

Three modes, tried in this order for each file, each proven by rendering:

- ``layout``: the file follows the seed layout (``# ROLE`` … ``# REFERENCES``);
  those sections become structured fields, the rest blocks or own text.
- ``sections``: shared sections become blocks, everything else own text.
- ``verbatim``: the whole text after the frontmatter is the manifest's ``body``.

The layout separates sections with exactly one blank line. Where a file has
more, the extra newlines go into the neighbouring own text; where it has none,
the two sections become one own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .agentfile import AgentFile
from ..sources.fidelity import STANDARD_KEYS, TEXT_PREFIX, split_entry
from ..sources.yaml import yaml_scalar
from ..targets.registry import REGISTRY
from .sections import Section, heading_slug, split_sections

TAIL = ("# DOMAIN SCOPE", "# HANDOFFS", "# OUTPUT FORMAT", "# FORBIDDEN", "# REFERENCES")
_ITEM = r"(?:\n- [^\n]*)+"
_DOMAIN = re.compile(
    rf"# DOMAIN SCOPE(?:\n\n\*\*In:\*\*(?P<in>{_ITEM}))?(?:\n\n\*\*Out \(hand off\):\*\*(?P<out>{_ITEM}))?")
_OUT = re.compile(r"- `(?P<target>[^`]+)` \u2014 (?P<trigger>.*)")
_HANDOFF = re.compile(r"- \*\*(?P<target>.+?)\*\* \u2014 (?P<trigger>.*)")


class Unplannable(Exception):
    """This mode cannot express the file; the message says why."""


@dataclass(frozen=True)
class LayoutText:
    """The fixed lines the catalog config adds to every agent's layout sections."""

    report_fields: tuple[str, ...] = ()
    report_closing_fields: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


@dataclass
class Plan:
    """How one file is expressed: manifest fields and the blocks it uses (by text)."""

    file: AgentFile
    mode: str
    fields: dict[str, Any]  # structured fields (role, domain_in, …) or body
    items: list[tuple[str, str]] = field(default_factory=list)  # ("block"|"text", text)
    footer: list[tuple[str, str]] = field(default_factory=list)  # after the layout sections

    def block_texts(self) -> list[str]:
        return [text for kind, text in self.items + self.footer if kind == "block"]


def body_sections(file: AgentFile) -> tuple[int, list[Section]]:
    """The body's sections (split once per file and body)."""
    cached = file.__dict__.get("_sections")
    if cached is None or cached[0] is not file.body:
        cached = (file.body, split_sections(file.body))
        file.__dict__["_sections"] = cached
    return cached[1]


def final_newlines(file: AgentFile) -> int:
    text = file.expected().decode("utf-8").replace("\r\n", "\n")
    return len(text) - len(text.rstrip("\n"))


def frontmatter_fields(file: AgentFile) -> tuple[dict[str, Any], dict[str, str]]:
    """Standard manifest fields, and the pins the file needs.

    For a Claude Code file, entries the layout would write the same way, in the
    same order, are left to it; from the first one that differs on, every entry
    is pinned as written (``[frontmatter]``). A file of another tool has every
    entry pinned (``[targets.<name>] pinned``): name and description go to the
    manifest too, as the tool reads them.
    """
    values: dict[str, Any] = {"name": file.stem, "description": file.value("description")}
    if file.target != "claude-code":
        target = REGISTRY[file.target]
        return values, {entry.key: target.pin(entry, file.text) for entry in file.entries}
    tools = file.value("tools")
    if isinstance(tools, str):
        tools = [tool.strip() for tool in tools.split(",") if tool.strip()]
    if tools is not None and not (isinstance(tools, list) and all(isinstance(t, str) for t in tools)):
        raise Unplannable("`tools` is neither text nor a list of names")
    if tools:
        values["tools"] = tools
    model = file.value("model")
    if model is not None and not isinstance(model, str):
        raise Unplannable("`model` is not text")
    if model:
        values["model"] = model
    written = {"name": values["name"], "description": values["description"].strip()}
    if tools:
        written["tools"] = ", ".join(tools)
    if model:
        written["model"] = model
    standard = [key for key in STANDARD_KEYS if key in written]
    kept = 0
    for entry, key in zip(file.entries, standard):
        if entry.key != key or entry.text != f"{key}: {yaml_scalar(written[key])}\n":
            break
        kept += 1
    pins = {entry.key: split_entry(entry.key, entry.text) for entry in file.entries[kept:]}
    missing = [key for key in standard[kept:] if key not in pins]
    if missing:
        raise Unplannable(f"frontmatter has no `{missing[0]}` entry to pin")
    return values, pins


def plan_file(file: AgentFile, mode: str, shared: set[str], layout: LayoutText) -> Plan:
    """The plan for ``file`` in ``mode``; raises :class:`Unplannable`."""
    if mode == "verbatim":
        return Plan(file, mode, {"body": file.body})
    lead, sections = body_sections(file)
    if lead == 0:
        raise Unplannable("the text starts right below the frontmatter, without a blank line")
    if mode == "sections":
        return Plan(file, mode, {}, plan_items(sections, lead + 1, shared, at_end=True))
    return _plan_layout(file, lead, sections, shared, layout)


def plan_items(sections: list[Section], lead_gap: int, shared: set[str],
               at_end: bool, trailing_gap: int | None = None) -> list[tuple[str, str]]:
    """Blocks and own texts for consecutive sections, reproducing every newline.

    ``lead_gap`` counts the newlines before the first section as a gap (2 is one
    blank line); with ``at_end`` the last section ends the file, otherwise
    ``trailing_gap`` newlines separate it from what the layout renders next.
    """
    if not sections:
        return []
    kinds = ["block" if s.heading is not None and s.text in shared else "text" for s in sections]
    if lead_gap != 2:
        kinds[0] = "text"
    for i in range(len(sections) - 1):
        if sections[i].gap < 2:
            kinds[i] = kinds[i + 1] = "text"
        elif sections[i].gap > 2 and kinds[i] == "block":
            kinds[i + 1] = "text"
    if not at_end and trailing_gap != 2:
        kinds[-1] = "text"
    items: list[tuple[str, str]] = []
    for i, section in enumerate(sections):
        before = lead_gap if i == 0 else sections[i - 1].gap
        if kinds[i] == "block":
            items.append(("block", section.text))
            continue
        if i > 0 and kinds[i - 1] == "text":
            kind, text = items.pop()
            items.append((kind, text + "\n" * before + section.text))
        else:
            items.append(("text", "\n" * (before - 2) + section.text))
        after = trailing_gap if i == len(sections) - 1 and not at_end else (
            None if i == len(sections) - 1 else section.gap)
        if after is not None and after > 2 and (i == len(sections) - 1 or kinds[i + 1] == "block"):
            kind, text = items.pop()
            items.append((kind, text + "\n" * (after - 2)))
    return items


def _plan_layout(file: AgentFile, lead: int, sections: list[Section], shared: set[str],
                 layout: LayoutText) -> Plan:
    headings = [s.heading for s in sections]
    tail_at = [i for i, h in enumerate(headings) if h in TAIL]
    has_role = bool(sections) and headings[0] == "# ROLE"
    if not has_role and not tail_at:
        raise Unplannable("no seed-layout sections")
    fields: dict[str, Any] = {}
    start, lead_gap = 0, lead + 1
    if has_role:
        if lead != 1 or not sections[0].text.startswith("# ROLE\n\n"):
            raise Unplannable("`# ROLE` is not followed by one blank line")
        fields["role"] = sections[0].text[len("# ROLE\n\n"):] + "\n"
        start, lead_gap = 1, sections[0].gap
    end = tail_at[0] if tail_at else len(sections)
    tail = sections[end:tail_at[-1] + 1] if tail_at else []
    order = [TAIL.index(s.heading) if s.heading in TAIL else -1 for s in tail]
    if order != sorted(set(order)) or -1 in order:
        raise Unplannable("the seed-layout sections are not in layout order")
    after = sections[tail_at[-1] + 1:] if tail_at else []
    if any(s.gap != 2 for s in tail[:-1]):
        raise Unplannable("the seed-layout sections are not separated by single blank lines")
    plan = Plan(file, "layout", fields)
    parsed = 0
    for section in tail:
        try:
            _parse_tail(section, plan, layout)
        except Unplannable:
            if parsed == 0:
                raise
            break  # this section and the rest follow the parsed ones as own text
        parsed += 1
    after = tail[parsed:] + after
    tail = tail[:parsed]
    middle = sections[start:end]
    trailing = middle[-1].gap if middle and tail else None
    if middle:
        plan.items = plan_items(middle, lead_gap, shared, at_end=not tail, trailing_gap=trailing)
    elif tail and lead_gap != 2:
        raise Unplannable("the seed-layout sections are not separated by single blank lines")
    plan.footer = plan_items(after, tail[-1].gap, shared, at_end=True) if after else []
    headings = {s.heading for s in tail}
    if (layout.report_fields or layout.report_closing_fields) and "# OUTPUT FORMAT" not in headings:
        raise Unplannable("the catalog adds an OUTPUT FORMAT section this file does not have")
    if layout.references and "# REFERENCES" not in headings:
        raise Unplannable("the catalog adds a REFERENCES section this file does not have")
    return plan


def layout_lines(file: AgentFile) -> tuple[list[str], list[str]]:
    """The report lines of ``# OUTPUT FORMAT`` and the items of ``# REFERENCES``, if any."""
    report: list[str] = []
    references: list[str] = []
    for section in body_sections(file)[1]:
        lines = section.text.split("\n")
        if section.heading == "# OUTPUT FORMAT" and len(lines) > 5 and lines[2] == "```" \
                and lines[-1] == "```":
            report = lines[4:-1]
        elif section.heading == "# REFERENCES" and re.fullmatch(rf"# REFERENCES\n{_ITEM}",
                                                               section.text):
            references = _items_of(section.text.split("\n\n", 1)[1])
    return report, references


def _items_of(text: str | None) -> list[str]:
    return [line[2:] for line in text.strip("\n").split("\n")] if text else []


def _parse_tail(section: Section, plan: Plan, layout: LayoutText) -> None:
    text, heading = section.text, section.heading
    fields = plan.fields
    if heading == "# DOMAIN SCOPE":
        match = _DOMAIN.fullmatch(text)
        if match is None or not (match["in"] or match["out"]):
            raise Unplannable("`# DOMAIN SCOPE` is not in the layout's In / Out form")
        fields["domain_in"] = _items_of(match["in"])
        outs = [_OUT.fullmatch(line) for line in match["out"].strip("\n").split("\n")] \
            if match["out"] else []
        if not all(outs):
            raise Unplannable("a hand-off line of `# DOMAIN SCOPE` is not \"- `agent` — when\"")
        fields["handoff"] = [{"target": m["target"], "trigger": m["trigger"]} for m in outs]
    elif heading == "# HANDOFFS":
        lines = text.split("\n")[2:] if text.startswith("# HANDOFFS\n\n") else []
        found = [_HANDOFF.fullmatch(line) for line in lines]
        if not lines or not all(found):
            raise Unplannable("`# HANDOFFS` is not a list of \"- **agent** — when\" lines")
        handoffs = [{"target": m["target"], "trigger": m["trigger"]} for m in found]
        if fields.get("handoff", []) != handoffs:
            raise Unplannable("`# HANDOFFS` does not repeat the hand-offs of `# DOMAIN SCOPE`")
    elif heading == "# OUTPUT FORMAT":
        title = f"=== {plan.file.stem.upper()} REPORT ==="  # the manifest's name, as the layout
        prefix = f"# OUTPUT FORMAT\n\n```\n{title}\n"
        if not text.startswith(prefix) or not text.endswith("\n```") or text == prefix + "```":
            raise Unplannable(f"`# OUTPUT FORMAT` is not a fenced report starting `{title}`")
        lines = text[len(prefix):-len("\n```")].split("\n")
        head, close = list(layout.report_fields), list(layout.report_closing_fields)
        if lines[:len(head)] != head or len(lines) < len(head) + len(close) or \
                (close and lines[len(lines) - len(close):] != close):
            raise Unplannable("`# OUTPUT FORMAT` does not have the catalog's report fields")
        fields["output_extra_fields"] = lines[len(head):len(lines) - len(close)]
    elif heading == "# FORBIDDEN":
        if not re.fullmatch(rf"# FORBIDDEN\n{_ITEM}", text):
            raise Unplannable("`# FORBIDDEN` is not a list")
        fields["forbidden_domain"] = _items_of(text.split("\n\n", 1)[1])
    elif heading == "# REFERENCES":
        if not re.fullmatch(rf"# REFERENCES\n{_ITEM}", text):
            raise Unplannable("`# REFERENCES` is not a list")
        lines = _items_of(text.split("\n\n", 1)[1])
        fixed = list(layout.references)
        extra = lines[len(fixed):]
        if lines[:len(fixed)] != fixed or not all(
                len(x) > 2 and x[0] == x[-1] == "`" and "`" not in x[1:-1] for x in extra):
            raise Unplannable("`# REFERENCES` does not match the catalog's fixed references")
        if extra:
            fields["references"] = {"extra": [x[1:-1] for x in extra]}


def text_key(text: str, taken: set[str]) -> str:
    """A ``[text]`` key for an own text: from its first heading, or ``intro``."""
    first = text.lstrip("\n").split("\n", 1)[0]
    section = Section(first, first if first.lstrip().startswith("#") else None, 0)
    base = heading_slug(section.title) if section.heading else "intro"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def manifest_data(plan: Plan, block_names: dict[str, str],
                  other_targets: tuple[str, ...] = ()) -> dict[str, Any]:
    """The manifest as TOML data, keys in the order they are written.

    ``other_targets`` are the catalog's targets the file was not written for: the
    agent is switched off there (it was adopted from one tool).
    """
    file = plan.file
    values, pins = frontmatter_fields(file)
    data: dict[str, Any] = dict(values)
    if file.filename is not None:
        data["filename"] = file.filename
    if file.newline == "crlf":
        data["newline"] = "crlf"
    finals = final_newlines(file)
    if finals != 1:
        data["final_newlines"] = finals
    fields = plan.fields
    if "role" in fields:
        data["role"] = fields["role"]
    texts: dict[str, str] = {}
    taken: set[str] = set()
    for field_name, items in (("blocks", plan.items), ("footer", plan.footer)):
        names = []
        for kind, text in items:
            if kind == "block":
                names.append(block_names[text])
            else:
                key = text_key(text, taken)
                texts[key] = text
                names.append(TEXT_PREFIX + key)
        if names:
            data[field_name] = names
    for key in ("domain_in", "forbidden_domain", "output_extra_fields"):
        if fields.get(key):
            data[key] = fields[key]
    if "body" in fields:
        data["body"] = fields["body"]
    if fields.get("handoff"):
        data["handoff"] = fields["handoff"]
    if "references" in fields:
        data["references"] = fields["references"]
    targets: dict[str, dict[str, Any]] = {}
    if file.target == "claude-code":
        if pins:
            data["frontmatter"] = pins
        for key in ("description", "tools", "model"):  # the loader reads them from the pins
            if key in pins and key in data:
                del data[key]
    if file.lead:
        targets[file.target] = {"pinned_lead": file.lead}
    if pins and file.target != "claude-code":
        targets.setdefault(file.target, {})["pinned"] = pins
    for name in other_targets:
        targets[name] = {"enabled": False}
    if texts:
        data["text"] = texts
    if targets:
        data["targets"] = targets
    return data


MARKDOWN_SHARE = 0.5  # own text above this share of the body goes to a Markdown file
MARKER = "<!-- @{key} -->"


def markdown_file(data: dict[str, Any], stem: str, shared_bytes: int) -> str | None:
    """Move the manifest's own text (``body``, or the ``[text]`` pieces) into a Markdown
    file beside it when it is most of the agent's body; returns the file's text.

    Text that holds a line the file format uses to separate pieces stays in the TOML.
    """
    if "body" in data:
        own = data["body"]
        if not own or "\r" in own or own.startswith("\ufeff"):
            return None
        del data["body"]
        data["body_file"] = f"{stem}.md"
        return own
    texts = data.get("text")
    if not texts:
        return None
    size = sum(len(t.encode()) for t in texts.values())
    if size <= MARKDOWN_SHARE * (size + shared_bytes) or any(
            "\r" in text or ("<!-- @" in text and any(map(_is_marker, text.split("\n"))))
            for text in texts.values()):
        return None
    del data["text"]
    data["text_file"] = f"{stem}.md"
    return "".join(MARKER.format(key=key) + "\n" + text + "\n" for key, text in texts.items())


def _is_marker(line: str) -> bool:
    return line.startswith("<!-- @") and line.rstrip("\r").endswith(" -->")
