"""Reading a hand-written skill folder for import: its SKILL.md and the files beside it.

A skill folder is a folder holding a ``SKILL.md`` (or the non-canonical
``skill.md``, which clients on a case-sensitive file system do not load: the
import renames it). Clients name a skill by its folder, so the folder's name is
the skill's id; a different ``name:`` line is kept as written and reported.
Category folders above it (``skills/data/etl-check/``) are not part of the id:
skills folders hold one level of skills.

The ``SKILL.md`` is read the way Claude Code reads frontmatter
(:func:`assembler.targets.reading.read_markdown`); every other file of the
folder is kept, byte for byte and with its file mode, except what the catalog
cannot copy (each such file is listed with its reason).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..outputs.banner import BannerInfo, read_banner_line
from ..outputs.copies import COPIES_OPEN
from ..sources.folders import has_control
from ..sources.schema import MAX_NAME_LENGTH, SLUG
from ..sources.skills import MANIFEST, MAX_COMPATIBILITY, MAX_DESCRIPTION, OUTPUT
from ..targets.reading import AgentText, Change, NotAnAgent, Unsupported, read_markdown

SKILLS_FOLDERS = {".claude/skills": "claude-code", ".agents/skills": "agents"}


@dataclass(frozen=True)
class Copied:
    """A supporting file of a skill: its path in the skill folder, bytes and mode."""

    rel: str
    data: bytes
    mode: int


@dataclass(frozen=True)
class Left:
    """A file of a skill folder that is not copied, and why."""

    path: str
    reason: str
    hint: str | None = None


@dataclass
class SkillFile:
    """A source skill folder, split into what a skill manifest needs to reproduce it."""

    source: str  # the SKILL.md as named on the command line (for messages)
    skill_id: str  # the folder's name: the skill's name
    size: int  # bytes of the SKILL.md and the copied files
    text: AgentText  # what Claude Code reads from the SKILL.md
    format: str  # the skills folder it is written for: "claude-code" or "agents"
    body: str  # the text after the frontmatter, normalised to one blank line before it
    files: list[Copied] = field(default_factory=list)
    left: list[Left] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    warnings: list[Change] = field(default_factory=list)
    own_banner: BannerInfo | None = None  # our banner: a re-import of generated skills

    @property
    def target(self) -> str:
        return f"skills:{self.format}"

    def value(self, key: str):
        return self.text.values.get(key)

    def expected(self) -> bytes:
        """What the rendered SKILL.md must equal once its banner and copies lines are gone."""
        return (self.text.prefix + self.body).encode("utf-8")


def is_skill_file(path: Path) -> bool:
    return path.name.lower() == OUTPUT.lower()


def skills_format(path: Path) -> str:
    """The skills folder a skill was written for: the tool folder it sits in, else Claude Code's."""
    where = "/" + path.resolve().as_posix()
    for folder, key in SKILLS_FOLDERS.items():
        if f"/{folder}/" in where:
            return key
    return "claude-code"


def read_skill_folder(skill_md: Path, shown: str, nested: set[Path]) -> SkillFile:
    """Read one skill folder; ``nested`` are skill folders inside it (imported on their own).
    Raises :class:`NotAnAgent` (not loaded as a skill) or :class:`Unsupported` (refused)."""
    folder = skill_md.parent
    skill_id = folder.name
    if not SLUG.match(skill_id) or len(skill_id) > MAX_NAME_LENGTH:
        raise Unsupported(f"the folder name `{skill_id}` is not a skill name the standard allows "
                          "(1 to 64 lowercase letters, digits and single hyphens); clients name "
                          "the skill by its folder, so the catalog keeps the name",
                          1, f"rename the folder, e.g. to `{_slug(skill_id)}`")
    data = skill_md.read_bytes()
    if b"\r\n" in data:
        raise Unsupported("the file has CRLF line endings; the catalog writes SKILL.md with LF",
                          1, "convert the file to LF line endings")
    try:
        text = read_markdown(data, skill_id, "Claude Code", dialect="claude", unnamed="file")
    except NotAnAgent as exc:
        if "no frontmatter" in str(exc) or "no `description`" in str(exc):
            raise Unsupported(
                "no `description` in frontmatter: Claude Code takes the first paragraph "
                "instead, but the Agent Skills standard and the catalog need one", exc.line,
                "start the file with `---`, `name: " + skill_id + "`, `description: …`, `---`"
            ) from None
        raise NotAnAgent(_as_skill(str(exc)), exc.line, exc.hint) from None
    changes = [_as_skill_change(c) for c in text.changes]
    description = text.values.get("description")
    if len(description.strip()) > MAX_DESCRIPTION:
        raise Unsupported(f"`description` has {len(description.strip())} characters; the Agent "
                          f"Skills standard allows at most {MAX_DESCRIPTION}", 1,
                          "shorten it, and move detail into the body")
    compatibility = text.values.get("compatibility")
    if isinstance(compatibility, str) and len(compatibility.strip()) > MAX_COMPATIBILITY:
        raise Unsupported(f"`compatibility` has {len(compatibility.strip())} characters; the "
                          f"standard allows at most {MAX_COMPATIBILITY}", 1, "shorten it")
    if skill_md.name != OUTPUT:
        changes.insert(0, Change(1, f"`{skill_md.name}` renamed `{OUTPUT}`",
                                 "clients load only a file named exactly SKILL.md, so on a "
                                 "case-sensitive file system this skill was not loaded"))
    body, own = _remove_own_banner(text.body)
    line = text.prefix.count("\n") + 1
    body, body_changes = _normalise_body(body, line)
    if not body.strip():
        raise Unsupported("the skill has no text below its frontmatter", line,
                          "write what the skill does")
    changes += body_changes
    warnings = [_as_skill_change(w) for w in text.warnings]
    name = text.values.get("name")
    if name != skill_id:
        warnings.append(Change(1, f"`name: {name}` differs from the folder `{skill_id}`",
                               "clients name the skill by its folder, and the standard requires "
                               "the two to be equal: the manifest is named after the folder and "
                               "the file keeps its own `name:` line; set it to the folder's name"))
    skill = SkillFile(shown, skill_id, len(data), text, skills_format(skill_md), body,
                      changes=changes, warnings=warnings, own_banner=own)
    _supporting(skill, folder, skill_md, nested)
    return skill


def _slug(name: str) -> str:
    from ..sources.schema import slugify

    return slugify(name, "skill", limit=MAX_NAME_LENGTH)


def _as_skill(message: str) -> str:
    return message.replace("as an agent", "as a skill").replace("the agent", "the skill")


def _as_skill_change(change: Change) -> Change:
    why = change.why.replace("names an agent without one after its file",
                             "names a skill without one after its folder")
    return Change(change.line, change.what, _as_skill(why))


def _remove_own_banner(body: str) -> tuple[str, BannerInfo | None]:
    """Our banner and copies lines below the frontmatter (a re-import), and the blank line
    after them, removed."""
    lines = body.split("\n")
    if len(lines) < 3 or lines[0] != "":
        return body, None
    own = read_banner_line(lines[1])  # a SKILL.md carries the tool's own words
    if own is None:
        return body, None
    rest = lines[2:]
    if rest and rest[0].startswith(COPIES_OPEN):
        rest = rest[1:]
    if rest and rest[0] == "":
        rest = rest[1:]
    return "\n" + "\n".join(rest), own


def _normalise_body(body: str, line: int) -> tuple[str, list[Change]]:
    """The body as the catalog writes it: one blank line below the frontmatter (where the
    banner goes) and one line break at the end; anything else is a listed change."""
    core = body.strip("\n")
    changes = []
    lead = len(body) - len(body.lstrip("\n"))
    if lead == 0 and core:
        changes.append(Change(line, "a blank line added below the frontmatter",
                              "the catalog's banner goes there; Markdown reads the text the same"))
    elif lead > 1:
        changes.append(Change(line, f"{lead - 1} blank lines below the frontmatter made one",
                              "the catalog's banner goes there; Markdown reads the text the same"))
    trail = len(body) - len(body.rstrip("\n")) if core else 0
    end = line + body.count("\n")
    if trail == 0 and core:
        changes.append(Change(end, "a line break added at the end of the file",
                              "the last line had none; Markdown reads it the same"))
    elif trail > 1:
        changes.append(Change(end, f"{trail - 1} blank lines at the end of the file removed",
                              "Markdown reads the text the same"))
    return "\n" + core + "\n", changes


def _supporting(skill: SkillFile, folder: Path, skill_md: Path, nested: set[Path]) -> None:
    """Every other file of the folder, copied, or listed with why not."""
    total = 0
    for directory, dirs, names in os.walk(folder, followlinks=False):
        here = Path(directory)
        keep = []
        for name in sorted(dirs):
            path = here / name
            if path in nested:
                continue  # a skill of its own
            if path.is_symlink():
                skill.left.append(Left(str(path), "a symbolic link to a folder: a skill's files "
                                       "are copied from real folders only",
                                       "copy the files into the skill's folder"))
                continue
            keep.append(name)
        dirs[:] = keep
        for name in sorted(names):
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if path == skill_md:
                continue
            reason = _not_copied(path, rel, skill_md)
            if reason is not None:
                skill.left.append(Left(str(path), *reason))
                continue
            try:
                data = path.read_bytes()
                mode = stat.S_IMODE(os.stat(path).st_mode)
            except OSError as exc:
                skill.left.append(Left(str(path), f"cannot read file: {exc.strerror or exc}"))
                continue
            skill.files.append(Copied(rel, data, mode))
            total += len(data)
    skill.files.sort(key=lambda c: tuple(c.rel.split("/")))
    skill.size += total


def _not_copied(path: Path, rel: str, skill_md: Path) -> tuple[str, str | None] | None:
    parts = rel.split("/")
    if any(has_control(part) for part in parts) or "-->" in rel:
        return ("the file's name holds a control character or `-->`, which the catalog's "
                "record of copied files cannot hold", "rename it")
    if rel == MANIFEST:
        return (f"`{MANIFEST}` is the name of the catalog's skill manifest, written in its place",
                "rename it")
    if path.parent == skill_md.parent and is_skill_file(path):
        return (f"a second `{path.name}` beside `{skill_md.name}`: clients load only "
                f"`{OUTPUT}`", "remove it")
    if is_skill_file(path):
        return (f"a `{path.name}` in a subfolder that is not loaded as a skill of its own",
                "rename it")
    if path.is_symlink():
        target = path.resolve()
        if not target.is_file():
            return ("a symbolic link that leads to no file", "remove it")
    elif not path.is_file():
        return ("not a regular file", None)
    return None
