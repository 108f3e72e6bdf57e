"""The import report, as text for people and as JSON for scripts."""

from __future__ import annotations

import json

from .importer import ImportResult
from ..diagnostics import printable
from ..present import Style, colour_diff, plural

MODE_TEXT = {
    "layout": "seed layout: structured fields",
    "sections": "sections: blocks and own text",
    "verbatim": "verbatim body",
}
SHOWN_GROUPS = 20  # near-duplicate groups in the text report (JSON has all)
SHOWN_DIFFS = 3  # diffs shown per group


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _problem(p, style: Style) -> str:
    hint = f" ({printable(p.hint)})" if p.hint else ""
    return f"  {style(f'{printable(p.source)}:{p.line}:', 'bold')} {printable(p.reason)}{hint}"


def import_text(result: ImportResult, style: Style, show_diffs: bool = True) -> str:
    lines: list[str] = []
    for warning in result.warnings:
        lines.append(f"{style(f'{warning.path}:{warning.line}:{warning.column}:', 'bold')} "
                     f"{style('warning:', 'yellow')} {warning.message}")
    counts = result.counts
    imported = len(result.files)
    kinds = ", ".join(f"{counts[s]} {s}" for s in ("identical", "repaired", "verbatim") if counts[s])
    lines.append(f"{plural(result.found, 'file')} found: {imported} imported into {result.root}"
                 + (f" ({kinds})" if kinds else "")
                 + f", {counts['refused']} refused, {counts['skipped']} skipped.")
    for file in result.files:
        why = f"; not the seed layout: {file.reason}" if file.mode == "sections" and file.reason \
            else ""
        extra = f", own text in {file.markdown}" if file.markdown else ""
        if file.kind == "skill":
            extra += f", renders to {file.output}" if file.output else ""
            extra += f", {plural(len(file.copied), 'file')} copied" if file.copied else ""
        lines.append(f"  {printable(file.source)} \u2192 {file.manifest} ({file.status}: "
                     f"{MODE_TEXT[file.mode]}{extra}{why})")
        lines += [f"      {change}" for change in file.changes]
    if result.refused:
        lines.append(f"{plural(len(result.refused), 'file')} refused (the catalog cannot "
                     "reproduce them):")
        lines += [_problem(p, style) for p in result.refused]
    if result.skipped:
        lines.append(f"{plural(len(result.skipped), 'file')} skipped (their tool does not load "
                     f"them as {kinds_of(result)} either):")
        lines += [_problem(p, style) for p in result.skipped]
    if result.blocks:
        lines.append(f"{plural(len(result.blocks), 'shared block')}:")
        width = max(len(block.path) for block in result.blocks)
        for block in sorted(result.blocks, key=lambda b: (-b.users, b.name)):
            reused = " (already in the catalog, reused)" if block.reused else ""
            lines.append(f"  {block.path:<{width}}  used by {_users(block)}{reused}")
    elif result.files:
        lines.append("No section is shared by enough files to become a block.")
    verbatim = [f for f in result.files if f.mode == "verbatim"]
    if verbatim:
        lines.append(f"{plural(len(verbatim), 'file')} kept as a verbatim body:")
        lines += [f"  {f.source}: {f.reason}" for f in verbatim]
    lines += _near_duplicates(result, style, show_diffs)
    source, catalog, output = result.source_bytes, result.catalog_bytes, result.output_bytes
    if result.files:
        lines.append(f"Bytes: {source} in the {plural(imported, 'original file')}, {catalog} in "
                     f"the new sources (manifests, Markdown, blocks and config: "
                     f"{_percent(catalog, source)} of the originals), {output} in the rendered "
                     "outputs.")
        repaired = counts["repaired"]
        lines.append(f"Proof: {result.proven} of {imported} rendered outputs equal their "
                     "originals byte for byte, apart from the banner line "
                     + ("(and a SKILL.md's copies line) " if any(
                         f.kind == "skill" and f.copied for f in result.files) else "")
                     + "and the blank line after it" + (f"; {repaired} {'equals' if repaired == 1 else 'equal'} them with the repairs listed above"
                                   if repaired else "") + ".")
    lines += _leftovers(result)
    lines += _outcome(result, style)
    return "\n".join(lines) + "\n"


def _leftovers(result: ImportResult) -> list[str]:
    """The staging folders killed imports left in the catalog: removed, or after a dry run
    there still."""
    if not result.leftovers:
        return []
    names = ", ".join(f"{name}/" for name in result.leftovers)
    one = len(result.leftovers) == 1
    left = "a killed import left" if one else "killed imports left"
    if result.dry_run:
        return [f"{plural(len(result.leftovers), 'staging folder')} {left} in the catalog "
                f"(an import without --dry-run removes {'it' if one else 'them'}): {names}"]
    return [f"Removed {plural(len(result.leftovers), 'staging folder')} {left} in the catalog: "
            f"{names}"]


def kinds_of(result: ImportResult) -> str:
    """What the import took in: agents, or agents and skills."""
    return "agents or skills" if any(f.kind == "skill" for f in result.files) else "agents"


def _users(block) -> str:
    agents = block.users - block.skills
    if not block.skills:
        return plural(agents, "agent")
    if not agents:
        return plural(block.skills, "skill")
    return f"{plural(agents, 'agent')} and {plural(block.skills, 'skill')}"


def _near_duplicates(result: ImportResult, style: Style, show_diffs: bool) -> list[str]:
    groups = result.near_duplicates
    if not groups:
        return []
    variants = sum(len(g.variants) for g in groups)
    lines = [f"{plural(len(groups), 'group')} of near-duplicate sections ({variants} "
             f"{'variant differs' if variants == 1 else 'variants differ'} a little from the text most "
             "files use; not merged: make them equal to share them):"]
    for group in groups[:SHOWN_GROUPS]:
        others = sum(len(v.files) for v in group.variants)
        lines.append(f"  {group.heading}: {plural(others, 'file')} "
                     f"{'differs' if others == 1 else 'differ'} from the "
                     f"{plural(len(group.common.files), 'file')} using the common text "
                     f"({', '.join(group.common.files[:2])}{', …' if len(group.common.files) > 2 else ''})")
        if show_diffs:
            for variant in group.variants[:SHOWN_DIFFS]:
                lines.append(colour_diff(group.diff(variant), style).rstrip("\n"))
            if len(group.variants) > SHOWN_DIFFS:
                lines.append(f"    … and {plural(len(group.variants) - SHOWN_DIFFS, 'other variant')}")
    if len(groups) > SHOWN_GROUPS:
        lines.append(f"  … and {plural(len(groups) - SHOWN_GROUPS, 'more group')} "
                     "(all of them with --format json)")
    return lines


def _tally(result: ImportResult) -> str:
    counts = result.counts
    return (f"{len(result.files)} of {plural(result.found, 'file')} imported, "
            f"{counts['refused']} refused, {counts['skipped']} skipped")


def _outcome(result: ImportResult, style: Style) -> list[str]:
    if not result.files:
        return [style("nothing imported", "red") + f": {_tally(result)}."
                + ("" if result.found else " No agent file or skill found (Markdown with YAML "
                   "frontmatter, a Codex TOML file in .codex/agents, or a folder holding a "
                   "SKILL.md).")]
    if result.conflicts:
        return [style("refused", "red") + ": these files exist already and import never "
                "overwrites them:"] + [f"  {p}" for p in result.conflicts] + [
                f"Move them away, or import into another --root. Nothing was written "
                f"({_tally(result)})."]
    if result.strict and not result.complete:
        return [style("refused", "red") + f" (--strict): nothing was written; {_tally(result)}."]
    if result.dry_run:
        return [f"Dry run: nothing was written; {_tally(result)}."]
    lines = [f"{plural(len(result.written), 'file')} written"
             + (f", including {result.config}" if result.config in result.written else "") + "."]
    lines.append("Next: review the blocks and manifests, then run `assembler build` "
                 "(`--force` where the outputs replace the original files) and commit.")
    done = style("imported", "green") if result.complete else style("partly imported", "yellow")
    lines.append(f"{done}: {_tally(result)}" + ("" if result.complete else
                                                 " (listed above, with their reasons)") + ".")
    return lines


def import_json(result: ImportResult) -> str:
    document = {
        "ok": result.complete and not result.blocked,
        "dry_run": result.dry_run,
        "strict": result.strict,
        "root": str(result.root),
        "found": result.found,
        "counts": result.counts,
        "files": [{**vars(f), "status": f.status} for f in result.files],
        "refused": [vars(p) for p in result.refused],
        "skipped": [vars(p) for p in result.skipped],
        "blocks": [vars(b) for b in result.blocks],
        "near_duplicates": [
            {"heading": d.heading, "files": d.files,
             "common": {"files": list(d.common.files)},
             "variants": [{"files": list(v.files), "diff": d.diff(v)} for v in d.variants]}
            for d in result.near_duplicates],
        "warnings": [w.as_dict() for w in result.warnings],
        "bytes": {"sources": result.source_bytes, "catalog": result.catalog_bytes,
                  "outputs": result.output_bytes,
                  "ratio": round(result.catalog_bytes / result.source_bytes, 4)
                  if result.source_bytes else None},
        "proven": result.proven,
        "conflicts": result.conflicts,
        "written": result.written,
        "leftovers": result.leftovers,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
