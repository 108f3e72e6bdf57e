"""The import report, as text for people and as JSON for scripts."""

from __future__ import annotations

import json

from .importer import ImportResult
from ..present import Style, colour_diff, plural

MODE_TEXT = {
    "layout": "seed layout: structured fields",
    "sections": "sections: blocks and own text",
    "verbatim": "verbatim body",
}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def import_text(result: ImportResult, style: Style, show_diffs: bool = True) -> str:
    lines: list[str] = []
    for warning in result.warnings:
        lines.append(f"{style(f'{warning.path}:{warning.line}:{warning.column}:', 'bold')} "
                     f"{style('warning:', 'yellow')} {warning.message}")
    modes = {mode: sum(f.mode == mode for f in result.files) for mode in MODE_TEXT}
    lines.append(f"{plural(len(result.files), 'agent file')} imported into {result.root}: "
                 + ", ".join(f"{count} {mode}" for mode, count in modes.items() if count) + ".")
    for file in result.files:
        why = f"; not the seed layout: {file.reason}" if file.mode == "sections" and file.reason \
            else ""
        lines.append(f"  {file.source} → {file.manifest} ({MODE_TEXT[file.mode]}{why})")
    if result.skipped:
        lines.append(f"{plural(len(result.skipped), 'file')} skipped:")
        lines += [f"  {source}: {reason}" for source, reason in result.skipped]
    if result.blocks:
        lines.append(f"{plural(len(result.blocks), 'shared block')}:")
        width = max(len(block.path) for block in result.blocks)
        for block in sorted(result.blocks, key=lambda b: (-b.users, b.name)):
            reused = " (already in the catalog, reused)" if block.reused else ""
            lines.append(f"  {block.path:<{width}}  used by {plural(block.users, 'agent')}{reused}")
    else:
        lines.append("No section is shared by enough files to become a block.")
    verbatim = [f for f in result.files if f.mode == "verbatim"]
    if verbatim:
        lines.append(f"{plural(len(verbatim), 'file')} kept as a verbatim body:")
        lines += [f"  {f.source}: {f.reason}" for f in verbatim]
    banners = [f for f in result.files if f.banner]
    if banners:
        lines.append(f"{plural(len(banners), 'DO-NOT-EDIT banner')} removed (the catalog adds its own):")
        lines += [f"  {f.source}: {f.banner}" for f in banners]
    if result.near_duplicates:
        lines.append(f"{plural(len(result.near_duplicates), 'near-duplicate section')} (not merged; "
                     "make them equal to share them):")
        for dup in result.near_duplicates:
            lines.append(f"  {dup.heading}: {', '.join(dup.variant_files)} differs from "
                         f"{', '.join(dup.common_files)}")
            if show_diffs:
                lines.append(colour_diff(dup.diff(), style).rstrip("\n"))
    source, catalog, output = result.source_bytes, result.catalog_bytes, result.output_bytes
    lines.append(f"Bytes: {source} in the original files, {catalog} in the new manifests, "
                 f"blocks and config ({_percent(catalog, source)} of the originals), {output} "
                 "in the rendered outputs.")
    lines.append(f"Proof: {result.proven} of {len(result.files)} rendered outputs equal their "
                 "originals byte for byte, apart from the banner line and the blank line after it.")
    lines += _outcome(result, style)
    return "\n".join(lines) + "\n"


def _outcome(result: ImportResult, style: Style) -> list[str]:
    if result.refused:
        return [style("refused", "red") + ": these files exist already and import never "
                "overwrites them; nothing was written:"] + [f"  {p}" for p in result.refused] + [
                "Move them away, or import into another --root."]
    if result.dry_run:
        return ["Dry run: nothing was written."]
    lines = [f"{plural(len(result.written), 'file')} written"
             + (f", including {result.config}" if result.config in result.written else "") + "."]
    lines.append("Next: review the blocks and manifests, then run `assembler build` "
                 "(`--force` where the outputs replace the original files) and commit.")
    return lines


def import_json(result: ImportResult) -> str:
    document = {
        "ok": not result.refused,
        "dry_run": result.dry_run,
        "root": str(result.root),
        "files": [vars(f) for f in result.files],
        "skipped": [{"source": s, "reason": r} for s, r in result.skipped],
        "blocks": [vars(b) for b in result.blocks],
        "near_duplicates": [
            {"heading": d.heading, "files": list(d.common_files),
             "variant_files": list(d.variant_files), "diff": d.diff()}
            for d in result.near_duplicates],
        "warnings": [w.as_dict() for w in result.warnings],
        "bytes": {"sources": result.source_bytes, "catalog": result.catalog_bytes,
                  "outputs": result.output_bytes},
        "proven": result.proven,
        "refused": result.refused,
        "written": result.written,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
