"""Names: canonical file names, lowercase slugs, and agent names unique across folders.

Case matters more than it looks: a catalog written on a case-insensitive disk
(macOS, Windows) works there and breaks on a Linux deploy, and tools look for
``SKILL.md`` or ``AGENTS.md`` by their exact spelling.
"""

from __future__ import annotations

from pathlib import Path
from typing import Container, Iterable, Iterator

from ..sources.schema import SLUG, slugify
from .context import LintContext
from ..sources.roleformat import CAPABILITY
from .rules import Finding, Rule

RULES = (
    Rule("AA301", "non-canonical-file-name", "names", "error",
         "a file whose name differs only in case from a canonical name such as `SKILL.md`"),
    Rule("AA302", "non-slug-name", "names", "warning",
         "a block, role or manifest path that is not made of lowercase slugs"),
    Rule("AA303", "duplicate-agent-name", "names", "error",
         "two agents in different folders share a `name`"),
)


def check(ctx: LintContext) -> Iterator[Finding]:
    yield from _canonical(ctx)
    yield from _slugs(ctx)
    yield from _unique(ctx)


def _catalog_files(ctx: LintContext, names: Container[str]) -> list[Path]:
    """The catalog's files whose lower-case name is in ``names``, sorted.

    Names are compared before anything else: a large catalog has thousands of
    manifests and outputs, and asking the disk about each or sorting them all
    costs more than the rest of the rule."""
    settings = ctx.catalog.settings

    def wanted(paths: Iterable[Path]) -> set[Path]:
        return {path for path in paths if path.name.lower() in names and path.is_file()}

    found = wanted(ctx.root.iterdir())
    for folder in ("manifests", "blocks", "roles", "templates", "output", "skills"):
        base = settings.folder(folder).resolve()
        if base.is_dir() and base != ctx.root:  # the root itself: its top level is enough
            found.update(wanted(base.rglob("*")))
    return sorted(found)


def _canonical(ctx: LintContext) -> Iterator[Finding]:
    canonical = {name.lower(): name for name in ctx.config.canonical_names}
    for path in _catalog_files(ctx, canonical):
        wanted = canonical[path.name.lower()]
        if path.name != wanted:
            rel = path.relative_to(ctx.root).as_posix()
            yield Finding(
                "AA301", rel, 1, 1, f"`{path.name}` should be spelled `{wanted}`",
                f"rename it with `git mv {rel} {rel[: -len(path.name)]}{wanted}` (on a "
                "case-insensitive disk, rename through a temporary name)")


def suggest_slug(name: str) -> str:
    """The slug to offer for a name that is not one: ``NoGitOps`` → ``no-git-ops``."""
    return slugify(name, "name", split_capitals=True)


def _slugs(ctx: LintContext) -> Iterator[Finding]:
    canonical = set(ctx.config.canonical_names)
    catalog = ctx.catalog
    named = [("block", name, block.path, ".md") for name, block in catalog.blocks.items()
             if CAPABILITY not in name]  # `cat::slug`: named by its folders, in its own format
    named += [("role", name, role.path, ".toml") for name, role in catalog.roles.items()]
    named += [("manifest", agent.id, agent.source, ".toml") for agent in catalog.agents]
    reported: set[tuple[str, str]] = set()
    for kind, name, path, suffix in sorted(named, key=lambda item: item[2]):
        parts = name.split("/")
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if SLUG.match(part) or (last and part + suffix in canonical):
                continue
            prefix = "/".join(parts[: depth + 1])
            if (kind, prefix) in reported:
                break
            reported.add((kind, prefix))
            what = f"{kind} name `{name}`" if last else f"{kind} folder `{prefix}/`"
            yield Finding(
                "AA302", path, 1, 1, f"{what} is not a lowercase slug",
                f"rename `{part}` to `{suggest_slug(part)}` (lowercase letters, digits and single "
                "hyphens) and update the names that refer to it")
            break


def _unique(ctx: LintContext) -> Iterator[Finding]:
    by_name: dict[str, list] = {}
    for agent in sorted(ctx.catalog.agents, key=lambda a: a.id):
        by_name.setdefault(agent.manifest.name, []).append(agent)
    for name, agents in by_name.items():
        for agent in agents[1:]:
            yield Finding(
                "AA303", agent.source, *agent.document.locate(("name",), value=True),
                f"agent name `{name}` is also used by `{agents[0].source}`; agents are "
                "loaded by name, so one would hide the other",
                "rename one of them (the file and its `name`), and update handoffs to it")
