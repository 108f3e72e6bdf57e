"""Reading an agent file back the way its tool reads it: for ``assembler import``.

Each target's :meth:`~.base.Target.read` turns a file written for that tool into
an :class:`AgentText`: the values the tool itself sees (name, description, …),
the header entries exactly as written (so a manifest can pin them), the body, and
every change the import has to make to the file (:class:`Change`) so that the
catalog can render it (a byte-order mark, YAML the tool only reads leniently).
A file the tool would not load as an agent raises :class:`NotAnAgent` (the
import skips it, saying why); a file the tool loads but the catalog cannot hold
raises :class:`Unsupported` (the import refuses it, saying why).

Two frontmatter dialects are read here:

- ``claude``, Claude Code's own rules: the frontmatter runs from a ``---`` at the
  very start of the file to the first ``---`` after it, anywhere; the YAML is
  read as YAML 1.2 and, when that fails, once more after quoting every plain
  ``key: value`` line whose value YAML cannot hold unquoted (``: ``, ``#``, …)
  and turning indenting tabs into spaces; a project agent needs a string
  ``name`` (without it the file is a reference document) and a ``description``.
- ``plain``, for the other Markdown tools: a ``---`` line, YAML 1.2 up to the
  next ``---`` line, and no lenient retry.

Every target of the registry reads its own files (each tested in
``tests/test_reading.py``); what each adds to the reading here:

- Claude Code: the ``claude`` dialect; its fields are known, so a key right
  below a plain description (an example dialogue) is warned about.
- Codex: TOML (:func:`read_codex`); ``developer_instructions`` is the body.
- GitHub Copilot, Cursor: the agent without ``name`` is named after its file
  (the import writes that name in, as a change).
- Gemini CLI: top level only, no file starting with ``_``, only the keys of its
  strict schema, a name of ``[a-z0-9_-]``, local agents only.
- Qwen Code: top level only, no reserved name, 2 to 50 characters, a prompt of
  at least 10.
- opencode, Kiro: an agent without ``name`` is known by its path, and nothing is
  written in; the entry the target adds by itself (opencode's ``mode``, Kiro's
  ``name``) is left out of an adopted file's pinned header.
- Factory Droid: top level only, a name of ``[a-z0-9_-]``.
- Antigravity: top level only; ``<name>/agent.md``, which it also loads, is
  refused, since the catalog writes ``<name>.md``.

This module imports PyYAML only when a file is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..sources.yaml import load_yaml

# JavaScript's `\s` (Claude Code's regular expressions), which is not Python's.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_LINE_CHAR = r"[^\n\r\u2028\u2029]"  # JavaScript's `.`
# Claude Code's frontmatter: `---`, whitespace, a newline, then anything up to the
# first `---` (not necessarily at the start of a line), then whitespace.
_CLAUDE_FENCE = re.compile(rf"---[{_JS_SPACE}]*\n([\s\S]*?)---[{_JS_SPACE}]*\n?")
_CLAUDE_PLAIN_LINE = re.compile(rf"([a-zA-Z_-]+):[{_JS_SPACE}]+([^{_JS_SPACE}]{_JS_LINE_CHAR}*)")
_CLAUDE_NEEDS_QUOTES = re.compile(r"[{}\[\]*&#!|>%@`]|: ")
KEY_LINE = re.compile(r"^(?P<key>[A-Za-z0-9_][A-Za-z0-9_.-]*)[ \t]*:(?=[ \t\r\n]|$)")
CLAUDE_NAME_LIMIT = 256


class NotAnAgent(Exception):
    """The tool does not load this file as an agent: the import skips it."""

    def __init__(self, reason: str, line: int = 1, hint: str | None = None):
        super().__init__(reason)
        self.line, self.hint = line, hint


class Unsupported(Exception):
    """The tool loads this file, but the catalog cannot reproduce it: the import refuses it."""

    def __init__(self, reason: str, line: int = 1, hint: str | None = None):
        super().__init__(reason)
        self.line, self.hint = line, hint


@dataclass(frozen=True)
class Change:
    """One difference between the file and what the catalog renders, and why it is safe."""

    line: int
    what: str
    why: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what} ({self.why})"


@dataclass
class Entry:
    """One top-level key of the file's header, its text as written and its value."""

    key: str
    text: str  # `key: value` plus continuation, comment and blank lines, LF endings
    line: int  # 1-based line in the file
    value: Any = None

    @property
    def raw(self) -> str:
        """The value's text, as a pin stores it (the entry without `key:` and its last newline)."""
        from ..sources.fidelity import split_entry

        return split_entry(self.key, self.text)


@dataclass
class AgentText:
    """A file as its tool reads it, cut into what a manifest needs to reproduce it.

    ``prefix + raw_body + suffix`` (LF endings; CRLF when ``newline`` says so) is
    the file the catalog must render, apart from its banner: the original, with
    ``changes`` applied.
    """

    target: str
    values: dict[str, Any]  # what the tool reads: name, description, tools, model, …
    entries: list[Entry]  # the header's keys, in file order
    lead: str  # header text before the first key (blank lines, comments)
    prefix: str  # the file up to the body (the frontmatter and its fences)
    body: str  # the agent's prompt: the text after the frontmatter, or Codex's instructions
    raw_body: str | None = None  # the body as written, when it is escaped (a TOML string)
    suffix: str = ""
    newline: str = "lf"
    changes: list[Change] = field(default_factory=list)
    warnings: list[Change] = field(default_factory=list)  # not changes: what the tool reads

    @property
    def written_body(self) -> str:
        return self.body if self.raw_body is None else self.raw_body

    def expected(self) -> bytes:
        text = self.prefix + self.written_body + self.suffix
        if self.newline == "crlf":
            text = text.replace("\n", "\r\n")
        return text.encode("utf-8")

    def value(self, key: str) -> Any:
        return self.values.get(key)


# -- decoding ----------------------------------------------------------------------------------
def decode(data: bytes, tool: str) -> tuple[str, str, list[Change]]:
    """The text (LF endings, no byte-order mark), its newline style and what changed."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unsupported("file is not valid UTF-8", data.count(b"\n", 0, exc.start) + 1,
                          "save the file as UTF-8") from None
    changes = []
    if text.startswith("\ufeff"):
        text = text[1:]
        changes.append(Change(1, "byte-order mark removed", f"{tool} ignores it"))
    newline = "lf"
    if "\r\n" in text and text.count("\r\n") == text.count("\n"):
        newline, text = "crlf", text.replace("\r\n", "\n")
    return text, newline, changes


# -- YAML as the tools read it ---------------------------------------------------------------
def _yaml_problem(exc: Exception, offset: int) -> tuple[str, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return problem, (mark.line + 1 + offset if mark is not None else offset + 1)


def claude_requote(header: str) -> str:
    """Claude Code's second reading of YAML that does not parse: each plain
    ``key: value`` line whose value needs quotes is double-quoted, and indenting tabs
    become two spaces each. Lines are cut at LF only: with CRLF endings no line matches."""
    out = []
    for line in header.split("\n"):
        match = _CLAUDE_PLAIN_LINE.fullmatch(line)
        if match:
            key, value = match[1], match[2]
            quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'"
            flow_list = False
            if value.startswith("[") and value.endswith("]"):
                try:
                    flow_list = isinstance(load_yaml(value, core=True), list)
                except Exception:  # noqa: BLE001 - any parse failure means "not a list"
                    flow_list = False
            if not quoted and not flow_list and _CLAUDE_NEEDS_QUOTES.search(value):
                escaped = value.replace("\\", "\\\\").replace('"', '\\"')
                line = f'{key}: "{escaped}"'
        out.append(line)
    return re.sub(r"^\t+", lambda m: "  " * len(m[0]), "\n".join(out), flags=re.MULTILINE)


def claude_yaml(header: str, first_line: int) -> tuple[Any, str | None]:
    """What Claude Code reads from a frontmatter block: the value, and the requoted
    text when only the second, lenient reading parsed. Raises :class:`NotAnAgent`."""
    import yaml

    try:
        return load_yaml(header, core=True), None
    except yaml.YAMLError as first:
        repaired = claude_requote(header)
        try:
            return load_yaml(repaired, core=True), repaired
        except yaml.YAMLError:
            problem, line = _yaml_problem(first, first_line - 1)
            raise NotAnAgent(
                f"Claude Code cannot read the frontmatter ({problem}, line {line}), so it does "
                "not load the agent", line,
                "indent a value's continuation lines, or write it as a block scalar "
                "(`description: |` and indented lines)") from None


# -- cutting a header into entries -------------------------------------------------------------
def cut_entries(header: str, first_line: int) -> tuple[str, list[Entry]]:
    """The text before the first key, and one entry per top-level key.

    Continuation, comment and blank lines belong to the entry above them; a key
    that repeats (YAML keeps its last value) is kept as a line of the entry above
    it, so its text stays where it was.
    """
    lead, entries = "", []
    seen: set[str] = set()
    for number, line in enumerate(header.splitlines(keepends=True), start=first_line):
        match = KEY_LINE.match(line)
        if match and match["key"] not in seen:
            seen.add(match["key"])
            entries.append(Entry(match["key"], line, number))
        elif entries:
            entries[-1].text += line
        else:
            lead += line
    for entry in entries:
        if not entry.text.endswith("\n"):
            entry.text += "\n"
    return lead, entries


def _first_line_of(text: str, start: int) -> int:
    return text.count("\n", 0, start) + 1


# -- Markdown with frontmatter -------------------------------------------------------------------
def read_markdown(data: bytes, path: str, tool: str, dialect: str = "plain",
                  unnamed: str = "required", known: frozenset[str] | None = None) -> AgentText:
    """A Markdown agent file at ``path`` (under the tool's folder, without the suffix); see
    the module docstring for the two dialects. ``unnamed`` says what the tool does
    without a ``name``: ``required`` (it does not load the file), ``file`` (names the
    agent after its file: the name is written in, a change) or ``path`` (knows it by its
    path). With ``known`` (the fields the tool uses), other keys are warned about: a line
    at the start of a line that was meant to continue the value above becomes a key of
    its own."""
    text, newline, changes = decode(data, tool)
    if dialect == "claude":
        start, header, close = _claude_split(text, tool)
    else:
        start, header, close = _plain_split(text, tool)
    first_line = _first_line_of(text, start)
    if dialect == "claude":  # Claude Code reads the file as it is, carriage returns included
        value, repaired = claude_yaml(header.replace("\n", "\r\n") if newline == "crlf"
                                      else header, first_line)
        if repaired is not None:
            repaired = repaired.replace("\r\n", "\n")
    else:
        value, repaired = _plain_yaml(header, first_line, tool)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise NotAnAgent(f"the frontmatter is not a mapping of `key: value` lines, so {tool} "
                         "reads no fields from it", first_line)
    values = {str(k): v for k, v in value.items()}
    if repaired is not None:
        changes += _requote_changes(header, repaired, first_line, tool)
        header = repaired
    opening = text[:start]
    prefix_lead = opening[opening.index("\n") + 1:] if "\n" in opening else ""
    if opening.split("\n", 1)[0] != "---":
        changes.append(Change(1, "spaces after the opening `---` removed", f"{tool} ignores them"))
    lead, entries = cut_entries(header, first_line)
    lead = prefix_lead + lead
    warnings = _key_warnings(header, entries, first_line, tool, known)
    for entry in entries:
        entry.value = values.get(entry.key)
    _check_agent(values, first_line, tool, dialect, unnamed == "required")
    if "name" not in values and unnamed == "path":  # known by its path: nothing to add
        values["name"] = path
    elif "name" not in values:  # the tool names the agent after its file
        stem = path.rsplit("/", 1)[-1]
        line = f"name: {_scalar(stem)}\n"
        entries.insert(0, Entry("name", line, first_line))
        values["name"] = stem
        changes.append(Change(first_line, f"`{line.strip()}` added",
                              f"{tool} names an agent without one after its file"))
    body, closing_changes = close
    changes += closing_changes
    warnings += _comment_warnings(entries, values, tool)
    prefix = "---\n" + lead + "".join(e.text for e in entries) + "---\n"
    return AgentText(tool, values, entries, lead, prefix, body, newline=newline,
                     changes=changes, warnings=warnings)


def _scalar(value: str) -> str:
    from ..sources.yaml import yaml_scalar

    return yaml_scalar(value)


def _claude_split(text: str, tool: str) -> tuple[int, str, tuple[str, list[Change]]]:
    """Where the header starts, the header, and (body, changes) after Claude Code's fence."""
    if text.find("---", 3) < 0 or not _CLAUDE_FENCE.match(text):
        raise NotAnAgent(*_no_frontmatter(text, tool))
    match = _CLAUDE_FENCE.match(text)
    assert match is not None
    header = match[1]
    line = _first_line_of(text, match.end(1))
    if header and not header.endswith("\n"):
        values = {}
        try:
            values = load_yaml(header, core=True) or {}
        except Exception:  # noqa: BLE001 - unreadable either way
            pass
        cut = header.rsplit("\n", 1)[-1]
        if isinstance(values, dict) and isinstance(values.get("name"), str) and values.get("description"):
            raise Unsupported(f"{tool} ends the frontmatter at the `---` inside line {line} "
                              f"(`{cut}---`)", line,
                              "remove `---` from that line: Claude Code cuts the frontmatter at "
                              "the first `---`, even inside a quoted value")
        raise NotAnAgent(f"{tool} ends the frontmatter at the `---` inside line {line} "
                         f"(`{cut}---`), and what comes before it names no agent", line,
                         "remove `---` from that line")
    return match.start(1), header, _after_closing(text, match.end(1), line, tool)


def _after_closing(text: str, at: int, line: int, tool: str) -> tuple[str, list[Change]]:
    """The body after a closing `---` at ``at``: the text after that line."""
    end = text.find("\n", at)
    rest = text[at + 3:end if end != -1 else len(text)]
    after = text[end + 1:] if end != -1 else ""
    if not rest.strip(" \t"):
        changes = []
        if rest:
            changes.append(Change(line, "spaces after the closing `---` removed", f"{tool} ignores them"))
        if end == -1:
            changes.append(Change(line, "a line break added after the closing `---`",
                                  "the file ended there; the catalog's banner goes on the next line"))
        return after, changes
    dashes = len(rest) - len(rest.lstrip("-"))
    what = (f"the closing fence of {dashes + 3} dashes is written `---` and a line of the other "
            f"{dashes}" if rest == "-" * dashes else f"a line break inserted after the closing `---`")
    why = (f"{tool} ends the frontmatter after the first three dashes and reads the rest of the "
           "line as the first line of the prompt; it still does")
    return rest + ("\n" + after if end != -1 else ""), [Change(line, what, why)]


def _no_frontmatter(text: str, tool: str) -> tuple[str, int, str | None]:
    first = text.split("\n", 1)[0]
    if not text.strip():
        return "the file is empty", 1, None
    if first.strip() == "" and text.lstrip().startswith("---"):
        line = _first_line_of(text, len(text) - len(text.lstrip()))
        return (f"a blank line comes before the opening `---`, so {tool} sees no frontmatter "
                "and does not load the file as an agent", line, "remove the lines above `---`")
    if first.strip() == "---" and first != first.lstrip():
        return (f"the opening `---` is indented, so {tool} sees no frontmatter and does not "
                "load the file as an agent", 1, "start the line with `---`")
    if first.strip() == "---":
        return ("the frontmatter is never closed (no second `---`), so "
                f"{tool} does not load the file as an agent", 1, "end it with a `---` line")
    if first.startswith("---"):
        return (f"the first line `{first[:40]}` is not a `---` fence, so {tool} sees no "
                "frontmatter", 1, "make the first line `---`")
    opening = f" (it opens with `{first[:40]}`)" if first.strip() else ""
    return (f"no frontmatter{opening}: {tool} does not load it as an agent (a README or a "
            "reference document?)", 1, None)


def _plain_split(text: str, tool: str) -> tuple[int, str, tuple[str, list[Change]]]:
    first = text.split("\n", 1)[0]
    if first.rstrip(" \t") != "---" or "\n" not in text:
        raise NotAnAgent(*_no_frontmatter(text, tool))
    start = len(first) + 1
    at = start
    while True:
        end = text.find("\n", at)
        line = text[at:end if end != -1 else len(text)]
        if line.rstrip(" \t") == "---":
            header = text[start:at]
            return start, header, _after_closing(text, at, _first_line_of(text, at), tool)
        if end == -1:
            raise NotAnAgent(*_no_frontmatter(first + "\n", tool))
        at = end + 1


def _plain_yaml(header: str, first_line: int, tool: str) -> tuple[Any, None]:
    import yaml

    try:
        return load_yaml(header, core=True), None
    except yaml.YAMLError as exc:
        problem, line = _yaml_problem(exc, first_line - 1)
        raise Unsupported(f"the frontmatter is not valid YAML ({problem}, line {line})", line,
                          "quote values holding `: ` or `#`, and indent continuation lines") from None


def _requote_changes(before: str, after: str, first_line: int, tool: str) -> list[Change]:
    changes = []
    for number, (old, new) in enumerate(zip(before.split("\n"), after.split("\n")), start=first_line):
        if old == new:
            continue
        if old.lstrip("\t") != old and new.lstrip(" ") == old.lstrip("\t"):
            changes.append(Change(number, "indenting tabs written as spaces",
                                  f"YAML forbids tabs there; {tool} reads them as spaces"))
            continue
        key = old.split(":", 1)[0]
        changes.append(Change(number, f"the value of `{key}` put in double quotes",
                              f"it holds characters YAML does not allow unquoted ({_culprit(old)}); "
                              f"{tool} reads it quoted"))
    return changes


def _culprit(line: str) -> str:
    value = line.split(":", 1)[1] if ":" in line else line
    found = sorted({m[0] for m in _CLAUDE_NEEDS_QUOTES.finditer(value)})
    return ", ".join(f"`{x}`" for x in found)


def _check_agent(values: dict[str, Any], line: int, tool: str, dialect: str,
                 name_required: bool) -> None:
    name, description = values.get("name"), values.get("description")
    if dialect == "claude":
        if (name_required or "name" in values) and (not name or not isinstance(name, str)):
            raise NotAnAgent(f"the frontmatter has no `name`, so {tool} does not load the file as "
                             "an agent (a slash command or a reference document?)", line,
                             "add `name:` if it is meant to be an agent")
        if name is not None and (name.startswith("-") or len(name) > CLAUDE_NAME_LIMIT
                                 or ":" in name):
            raise NotAnAgent(f"{tool} refuses the name {name!r}: names must not start with `-`, "
                             f"hold `:` or be longer than {CLAUDE_NAME_LIMIT} characters", line)
    elif "name" in values and not isinstance(name, str):
        raise Unsupported("`name` is not text", line)
    elif name_required and "name" not in values:
        raise NotAnAgent(f"the frontmatter has no `name`, so {tool} does not load it", line)
    if not description or not isinstance(description, str):
        raise NotAnAgent(f"the frontmatter has no `description` (or it is empty or not text), so "
                         f"{tool} refuses the agent", line, "add `description:`")
    if not description.strip():
        raise Unsupported("`description` is blank: the catalog needs one", line,
                          "describe what the agent does")


def _key_warnings(header: str, entries: list[Entry], first_line: int, tool: str,
                  known: frozenset[str] | None) -> list[Change]:
    warnings = []
    seen: dict[str, int] = {}
    for number, line in enumerate(header.split("\n"), start=first_line):
        match = KEY_LINE.match(line)
        if match is None:
            continue
        key = match["key"]
        if key in seen:
            warnings.append(Change(number, f"`{key}` appears again (first on line {seen[key]})",
                                   f"YAML keeps the last value, and so does {tool}; the lines "
                                   "stay where they are"))
        seen.setdefault(key, number)
    if known is not None:  # unknown keys right below a plain description: a dialogue?
        for before, entry in zip(entries, entries[1:]):
            plain = before.raw.lstrip()[:1] not in ("\"", "'", "|", ">", "")
            if before.key == "description" and plain and entry.key not in known:
                warnings.append(Change(entry.line, f"`{entry.key}` is a key of its own, not part "
                                       f"of the description above it, and not a field {tool} uses",
                                       "it is kept as written; to make the line part of the "
                                       "description, indent it or use a block scalar"))
    return sorted(warnings, key=lambda w: w.line)


def _comment_warnings(entries: list[Entry], values: dict[str, Any], tool: str) -> list[Change]:
    """Plain one-line values cut short by ` #`, which starts a YAML comment."""
    warnings = []
    for entry in entries:
        raw = entry.raw.split("\n")[0].strip()
        if not raw or raw[0] in "\"'|>[{" or " #" not in raw or not isinstance(entry.value, str):
            continue
        warnings.append(Change(entry.line, f"`{entry.key}` is read as {entry.value!r}",
                               f"` #` starts a YAML comment, so {tool} reads nothing after it; "
                               "quote the value to keep the rest"))
    return warnings


# -- Codex: TOML ------------------------------------------------------------------------------
_TOML_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z0-9_-]+)[ \t]*=")
_TOML_DELIMITERS = ("'''", '"""')


def toml_basic(text: str) -> str:
    """``text`` inside a TOML multi-line basic string, escaped as little as TOML allows (as
    people write them): backslashes, every third quote of a run, control characters."""
    out, quotes = [], 0
    for ch in text:
        if ch == '"':
            quotes += 1
            out.append('\\"' if quotes == 3 else ch)
            quotes %= 3
            continue
        quotes = 0
        if ch == "\\":
            out.append("\\\\")
        elif ch < " " and ch not in "\t\n" or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def read_codex(data: bytes, path: str, tool: str = "Codex") -> AgentText:
    """A Codex agent file (``.codex/agents/<name>.toml``).

    Every top-level key is an entry; blank lines, comments and tables after a key
    belong to it (tables come last in TOML, so they end the last entry). ``developer_instructions`` must be a multi-line string (``'''``
    or ``\"\"\"``) that opens at the end of its line and closes at the start of one;
    its text is the body.
    """
    try:
        import tomli as tomllib
    except ImportError:  # pragma: no cover
        import tomllib
    text, newline, changes = decode(data, tool)
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m[1]) if (m := re.search(r"line (\d+)", str(exc))) else 1
        raise Unsupported(f"the file is not valid TOML ({exc})", line) from None
    for key in ("name", "developer_instructions"):
        if not isinstance(values.get(key), str) or not values[key].strip():
            raise NotAnAgent(f"`{key}` is missing or blank, so {tool} does not load the agent", 1,
                             f"add `{key} = …`")
    if not isinstance(values.get("description"), str) or not values["description"].strip():
        raise Unsupported("`description` is missing or blank: the catalog needs one", 1,
                          "add `description = \"…\"`")
    lead, entries, inside, tables = "", [], None, False
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        tables = tables or (inside is None and line.startswith("["))
        match = _TOML_KEY_LINE.match(line) if inside is None and not tables else None
        if match:
            entries.append(Entry(match["key"], line, number))
        elif entries:
            entries[-1].text += line
        else:
            lead += line
        inside = _string_state(line, inside)
    for entry in entries:
        if not entry.text.endswith("\n"):
            raise Unsupported("the file does not end with a line break", entry.line,
                              "add one at the end")
        try:
            parsed = tomllib.loads(entry.text)
        except tomllib.TOMLDecodeError:
            parsed = None
        if parsed is None or entry.key not in parsed:
            raise Unsupported(f"the entry `{entry.key}` cannot be cut from the file on its own",
                              entry.line)
        entry.value = values.get(entry.key)
    instructions = next(e for e in entries if e.key == "developer_instructions")
    head, _, rest = instructions.text.partition("\n")
    delimiter = head.split("=", 1)[1].strip()
    body = values["developer_instructions"]
    close_at = rest.rfind("\n" + delimiter) + 1 if not rest.startswith(delimiter) else 0
    raw = rest[:close_at]
    if delimiter not in _TOML_DELIMITERS or not rest[close_at:].startswith(delimiter):
        raise Unsupported("`developer_instructions` is not a multi-line string opening at the end "
                          "of its line and closing at the start of one", instructions.line,
                          "write it as developer_instructions = '''<newline>…<newline>'''")
    if raw != (body if delimiter == "'''" else toml_basic(body)):
        raise Unsupported("`developer_instructions` uses TOML escapes the catalog writes "
                          "differently", instructions.line,
                          "use a literal string ('''), or escape only backslashes and quotes")
    if not body.endswith("\n"):
        raise Unsupported("`developer_instructions` does not end with a line break before its "
                          "closing delimiter", instructions.line, "put the delimiter on a line of its own")
    at = text.index(instructions.text)
    prefix = text[:at] + head + "\n"
    suffix = rest[close_at:] + text[at + len(instructions.text):]
    return AgentText(tool, values, entries, lead, prefix, body, raw_body=raw, suffix=suffix,
                     newline=newline, changes=changes)


def _string_state(line: str, inside: str | None) -> str | None:
    """Whether a multi-line string is still open after ``line`` (its delimiter), or None."""
    at = 0
    while True:
        if inside is None:
            found = [(line.find(d, at), d) for d in _TOML_DELIMITERS if line.find(d, at) != -1]
            comment = line.find("#", at)
            if not found:
                return None
            start, delimiter = min(found)
            if comment != -1 and comment < start:
                return None
            inside, at = delimiter, start + 3
        end = line.find(inside, at)
        if end == -1:
            return inside
        while line.startswith(inside[0], end + 3):  # up to two quotes may end the string
            end += 1
        inside, at = None, end + 3
