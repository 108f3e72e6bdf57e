"""Skills: what goes wrong in a skill catalog, found in each SKILL.md and moved to its source.

The rules of the other families read agent files; these read every generated
``SKILL.md`` (once per skill: every skills folder gets the same body) and the
files copied beside it. A finding moves to the line that produced it: a line of
a block, or of the skill manifest's own text. The codes are the other families'
(``AA101`` a missing section, ``AA201``/``AA203`` links and tables of contents,
``AA301`` a non-canonical file name, ``AA501``/``AA502`` stamps,
``AA503``/``AA504`` deprecations, ``AA601``/``AA602`` secrets, ``AA704`` a
tool's limit), so ``--select`` and ``[lint.severity]`` treat skills like agents;
``AA705`` is the skill body's size, which the standard asks to keep small.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterator
from urllib.parse import unquote

from ..compose.render import Renderer
from ..compose.skill import SkillComposition, compose_skill
from ..markdown import TOC_TITLES, headings, in_code, link_targets, list_item, mask_inline_code
from ..outputs.files import Rendered
from ..outputs.skills import skill_outputs
from ..sources.skills import OUTPUT, Skill
from ..sources.yaml import split_frontmatter
from ..targets.registry import SKILL_FORMATS
from .context import LintContext, Origin
from .freshness import deprecation, example, judge_stamps
from .linematch import BlockLines
from .rules import Finding, Rule
from .secrets import scan
from .structure import matches_section
from .tokens import estimate_tokens

RULES = (
    Rule("AA705", "skill-body-size", "budgets", "warning",
         "a SKILL.md body over the standard's guidance (500 lines, about 5,000 tokens)"),
)
MAX_LINES = 500
MAX_TOKENS = 5_000
_SCHEME = ("http:", "https:", "mailto:", "#")
_FILE_LIKE_SUFFIXES = (".md", ".py", ".sh", ".txt", ".json", ".yaml", ".yml", ".toml", ".js",
                       ".ts", ".csv", ".html", ".png", ".svg")


@dataclass
class SkillFile:
    """One skill's generated SKILL.md, what made each of its lines, and its folder's files."""

    skill: Skill
    path: str
    lines: list[str]
    body_start: int  # index of the first line after the frontmatter
    origins: list[Origin | None]
    provided: set[str]  # paths inside the skill folder: SKILL.md and the copies

    def at(self, index: int) -> tuple[str, int]:
        """The source file and line of output line ``index`` (the manifest when unknown)."""
        origin = self.origins[index] if 0 <= index < len(self.origins) else None
        return (origin.path, origin.line) if origin else (self.skill.source, 1)


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.catalog.skills:
        return
    renderer = Renderer(ctx.catalog)
    by_path = {item.path: item for item in ctx.skill_files}
    for skill in ctx.catalog.skills:
        outputs = skill_outputs(ctx.catalog, skill)
        if not outputs or outputs[0].path not in by_path:
            continue
        composition = compose_skill(skill, ctx.catalog, renderer.render_block)
        if composition is None:
            continue
        item = by_path[outputs[0].path]
        file = _read(item, composition, ctx.catalog.blocks)
        yield from _required(ctx, file)
        yield from _links(file)
        yield from _stamps(ctx, file)
        yield from _size(file)
        yield from _secrets(ctx, file, [by_path[p] for p in sorted(by_path)
                                        if p.startswith(outputs[0].folder + "/") and p != item.path])
        yield from _limits(skill, [output.format for output in outputs])
        manifest = skill.manifest
        if manifest.deprecated or manifest.removed_after:
            key = "removed_after" if manifest.removed_after else "deprecated"
            yield from deprecation(ctx, f"skill `{skill.id}`", skill.source,
                                   skill.document.locate((key,), value=key == "removed_after"),
                                   manifest.removed_after, f"`removed_after = {example(ctx)}`")
    yield from _non_canonical(ctx)


def _read(item: Rendered, composition: SkillComposition, blocks_by_name: dict) -> SkillFile:
    text = item.data.decode("utf-8")
    lines = text.split("\n")
    split = split_frontmatter(text)
    skill = composition.skill
    origins: list[Origin | None] = [None] * len(lines)
    for index in range(split.body_line - 1):
        origins[index] = _frontmatter_origin(skill, lines[index])
    blocks = BlockLines()
    cursor = text.index("\n", text.index("sha256:")) if "sha256:" in text else 0
    for piece, (kind, name) in zip(composition.sections()["body"], composition.made_by):
        at = text.find(piece, cursor)
        if at == -1 or not piece:
            continue
        first = text.count("\n", 0, at)
        count = piece.count("\n") + 1
        cursor = at + len(piece)
        if kind == "block":
            block = blocks_by_name[name]
            for offset, line in enumerate(blocks.offsets(block.source, piece)):
                if line is not None:
                    origins[first + offset] = Origin(block.path, block.body_line + line)
        else:
            loc = ("text", name) if kind == "text" else (kind,)
            start = _text_start(skill, loc)
            for offset in range(count):
                origins[first + offset] = Origin(skill.source, start + offset)
    provided = {OUTPUT, *(entry.rel for entry in skill.files)}
    return SkillFile(skill, item.path, lines, split.body_line - 1, origins, provided)


def _text_start(skill: Skill, loc: tuple) -> int:
    """The file line where the text of the string at ``loc`` starts."""
    document = skill.document
    line, column = document.locate(loc, value=True)
    rows = document.text.split("\n")
    rest = rows[line - 1][column - 1:] if line <= len(rows) else ""
    return line + 1 if rest.strip() in ('"""', "'''") else line


_FRONTMATTER_KEYS = {"name": ("name",), "description": ("description",),
                     "when_to_use": ("when_to_use",), "license": ("license",),
                     "compatibility": ("compatibility",), "allowed-tools": ("allowed_tools",),
                     "metadata": ("metadata",)}


def _frontmatter_origin(skill: Skill, line: str) -> Origin | None:
    key = line.split(":", 1)[0]
    loc = _FRONTMATTER_KEYS.get(key)
    if loc is None or loc[0] not in skill.document.data:
        return None
    return Origin(skill.source, skill.document.locate(loc, value=True)[0])


def _required(ctx: LintContext, file: SkillFile) -> Iterator[Finding]:
    found = headings(file.lines, file.body_start)
    document = file.skill.document
    at = document.locate(("blocks",)) if "blocks" in document.data else (1, 1)
    for wanted in ctx.config.required_sections.skill:
        if not any(matches_section(heading, wanted) for heading in found):
            yield Finding(
                "AA101", file.skill.source, *at,
                f"`{file.path}` has no `{wanted}` section, which [lint.required_sections] "
                "requires in every skill",
                f"set `when_to_use` (it becomes the `## When to use` section)" if
                wanted.lower() == "when to use" else
                f"add a `{wanted}` heading to the skill's [text] or to a block it lists")


def _links(file: SkillFile) -> Iterator[Finding]:
    """Links and table-of-contents entries must name files of the generated skill folder."""
    code = in_code(file.lines)
    toc_until = -1
    toc_level = 0
    for index in range(file.body_start, len(file.lines)):
        line = file.lines[index]
        if code[index]:
            continue
        heading = line.lstrip("#")
        level = len(line) - len(heading)
        if 0 < level <= 6 and heading.startswith(" "):
            if heading.strip().lower() in TOC_TITLES:
                toc_until, toc_level = len(file.lines), level
            elif level <= toc_level:
                toc_until = -1
        targets = link_targets(mask_inline_code(line))
        for column, target in targets:
            yield from _target(file, index, column + 1, target, "link")
        if index < toc_until and not targets:
            item = list_item(line)
            text = item.strip("`") if item else ""
            if text.endswith(_FILE_LIKE_SUFFIXES) and " " not in text:
                yield from _target(file, index, line.find(text) + 1, text, "table of contents entry")


def _target(file: SkillFile, index: int, column: int, target: str, what: str) -> Iterator[Finding]:
    if not target or target.startswith(_SCHEME) or target.startswith("{{"):
        return
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return
    if path.startswith("/"):
        inside = None
    else:
        inside = os.path.normpath(path)
        inside = None if inside == ".." or inside.startswith("../") else PurePosixPath(inside).as_posix()
    source, line = file.at(index)
    if inside is None:
        yield Finding("AA201", source, line, 1,
                      f"{what} `{path}` in `{file.path}` points outside the skill's folder",
                      "tools copy and load a skill folder on its own: put the file into the "
                      f"skill's source folder (`{file.skill.folder}/`) and link it relatively",
                      snippet=target)
    elif inside not in file.provided and not any(p.startswith(inside + "/") for p in file.provided):
        yield Finding("AA201", source, line, 1,
                      f"{what} `{path}` in `{file.path}` names a file the skill folder does not "
                      "have", f"add `{file.skill.folder}/{inside}`, or fix the entry",
                      snippet=target)


def _stamps(ctx: LintContext, file: SkillFile) -> Iterator[Finding]:
    for index in range(file.body_start, len(file.lines)):
        line = file.lines[index]
        if "verified" not in line.lower():
            continue
        for code, column, message, hint, stamp in judge_stamps(line, ctx.today,
                                                                ctx.config.freshness_months):
            source, number = file.at(index)
            yield Finding(code, source, number, 1, message, hint, severity="warning",
                          snippet=stamp)


def _size(file: SkillFile) -> Iterator[Finding]:
    body = file.lines[file.body_start:]
    lines = len(body) - (1 if body and body[-1] == "" else 0)
    tokens = estimate_tokens("\n".join(body))
    if lines > MAX_LINES or tokens > MAX_TOKENS:
        at = file.skill.document.locate(("blocks",)) if "blocks" in file.skill.document.data \
            else (1, 1)
        yield Finding("AA705", file.skill.source, *at,
                      f"`{file.path}` has a body of {lines} lines and about {tokens} tokens; the "
                      f"standard asks for at most {MAX_LINES} lines and about {MAX_TOKENS} tokens",
                      "move detail into references/ files the body links to; tools load those "
                      "only when they are needed", severity="warning")


def _secrets(ctx: LintContext, file: SkillFile, copies: list[Rendered]) -> Iterator[Finding]:
    threshold = ctx.config.secret_entropy
    for index, line in enumerate(file.lines):
        for code, column, message, snippet in scan(line, threshold):
            source, number = file.at(index)
            yield Finding(code, source, number, 1, message, _SECRET_HINT, snippet=snippet)
    for item in copies:
        try:
            text = item.data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        rel = item.path[len(file.path) - len(OUTPUT):]
        for index, line in enumerate(text.split("\n")):
            for code, column, message, snippet in scan(line, threshold):
                yield Finding(code, f"{file.skill.folder}/{rel}", index + 1, column, message,
                              _SECRET_HINT, snippet=snippet)


_SECRET_HINT = ("remove the value and rotate the credential; refer to it by the name of the "
                "variable or secret store that holds it (e.g. `$API_TOKEN`), never by its value")


def _limits(skill: Skill, formats) -> Iterator[Finding]:
    for fmt in formats:
        for limit in fmt.limits:
            size = limit.measure(skill)
            if size > limit.limit:
                yield Finding("AA704", skill.source,
                              *skill.document.locate((limit.at,), value=True),
                              f"{limit.what} is {size} {limit.unit}, over {fmt.key}'s limit of "
                              f"{limit.limit}: the tool cuts the rest",
                              "shorten `description` or `when_to_use`")


def _non_canonical(ctx: LintContext) -> Iterator[Finding]:
    """A skill file in a skills folder spelt other than ``SKILL.md`` is skipped by every client."""
    seen = set()
    for fmt in SKILL_FORMATS.values():
        base = ctx.root / fmt.folder()
        if fmt.folder() in seen or not base.is_dir():
            continue
        seen.add(fmt.folder())
        for entry in sorted(base.iterdir()):
            if not entry.is_dir():
                continue
            for child in entry.iterdir():
                if child.name.lower() == OUTPUT.lower() and child.name != OUTPUT:
                    rel = child.relative_to(ctx.root).as_posix()
                    yield Finding("AA301", rel, 1, 1, f"`{child.name}` should be spelled `{OUTPUT}`",
                                  f"rename it with `git mv {rel} {rel[: -len(child.name)]}{OUTPUT}`"
                                  "; clients load only an exact `SKILL.md`")
