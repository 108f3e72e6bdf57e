"""Turning results into text for people (with optional colour), JSON and GitHub.

Nothing here decides anything: the library computes, these functions only
format. Colour, plurals and GitHub escaping come from :mod:`assembler.present`.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Iterable

from .drift import DRIFT_KINDS, EXPLANATIONS, FileState, summary
from ..diagnostics import Diagnostic, printable
from ..present import Style, colour_diff, github_annotation, plural

if TYPE_CHECKING:
    from .write import BuildResult

KIND_COLOURS = {"stale": "yellow", "edited": "red", "differs": "yellow", "missing": "cyan",
                "orphaned": "yellow", "unexpected": "yellow"}


# -- diagnostics ---------------------------------------------------------------------------
def diagnostics_text(diagnostics: Iterable[Diagnostic], style: Style) -> str:
    """Problems for a terminal. Paths, messages and hints quote file contents and key names,
    so control characters in them are shown escaped, never sent to the terminal."""
    items = list(diagnostics)
    lines = []
    for d in items:
        where = style(f"{printable(d.path)}:{d.line}:{d.column}: ", "bold") if d.path else ""
        lines.append(f"{where}{style(d.severity + ':', 'red')} {printable(d.message)}")
        if d.hint:
            lines.append(f"  {style('hint:', 'cyan')} {printable(d.hint)}")
    lines.append(f"{plural(len(items), 'error')}; nothing was written.")
    return "\n".join(lines) + "\n"


def diagnostics_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps({"ok": False, "errors": [d.as_dict() for d in diagnostics]}, indent=2) + "\n"


def diagnostics_github(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(
        github_annotation(d.path, d.line, d.message + (f" (hint: {d.hint})" if d.hint else ""),
                          d.column, "assembler: invalid input") + "\n"
        for d in diagnostics
    )


# -- check -----------------------------------------------------------------------------------
def fix_advice(states: list[FileState], regenerate: str) -> str:
    """The command that clears the drift, and the extra step hand edits need."""
    advice = f"Run `{regenerate}` to regenerate."
    if any(state.intact is False for state in states
           if state.drifted and state.kind != "unexpected"):
        advice += (" Hand-edited files are kept until you move the edit into the manifest or "
                   "block it came from; then `assembler build --force` overwrites them.")
    if any(state.intact is None for state in states if state.drifted):
        advice += (" Files whose banner has no hash are overwritten by a build: move any hand "
                   "edit in them into its source first (a `banner` with {hash} tells them apart).")
    if any(state.kind == "unexpected" for state in states):
        advice += (" Files no skill source provides are never removed: move each into its "
                   "skill's source folder, or delete it.")
    return advice


def check_text(states: list[FileState], regenerate: str, style: Style, show_diff: bool,
               diffs: dict[str, str] | None = None) -> str:
    """``diffs`` may replace the plain diff of some paths (e.g. annotated with sources)."""
    drifted = [state for state in states if state.drifted]
    if not drifted:
        return style(f"{len(states)} generated files up to date.", "green") + "\n"
    lines = []
    for state in drifted:
        kind = style(state.kind, KIND_COLOURS[state.kind])
        origin = f" (from {printable(state.manifest)})" if state.manifest else ""
        lines.append(f"{printable(state.path)}: {kind}: {EXPLANATIONS[state.kind]}{origin}")
        if show_diff:
            text = (diffs or {}).get(state.path) or state.diff()
            lines.append(colour_diff(text, style).rstrip("\n"))
    counts = summary(states)
    parts = ", ".join(f"{counts[k]} {k}" for k in DRIFT_KINDS if counts.get(k))
    lines.append(f"{len(drifted)} of {len(states)} files out of date ({parts}). "
                 + fix_advice(states, regenerate))
    return "\n".join(lines) + "\n"


def check_json(states: list[FileState], regenerate: str, show_diff: bool) -> str:
    files = []
    for state in states:
        entry: dict[str, object] = {"path": state.path, "kind": state.kind, "manifest": state.manifest}
        if state.drifted:
            entry["hand_edited"] = None if state.intact is None else not state.intact
            if show_diff:
                entry["diff"] = state.diff()
        files.append(entry)
    drifted = [s for s in states if s.drifted]
    document = {
        "ok": not drifted,
        "summary": summary(states),
        "files": files,
        "fix": fix_advice(states, regenerate) if drifted else None,
    }
    return json.dumps(document, indent=2) + "\n"


def check_github(states: list[FileState], regenerate: str) -> str:
    lines = []
    for state in states:
        if not state.drifted:
            continue
        origin = f" (from {state.manifest})" if state.manifest else ""
        message = (f"{state.path} is {state.kind}: {EXPLANATIONS[state.kind]}{origin}. "
                   + fix_advice([state], regenerate))
        lines.append(github_annotation(state.path, state.first_changed_line(), message,
                                       title=f"assembler: {state.kind} agent file"))
    return "".join(line + "\n" for line in lines)


def check_report(states: list[FileState], regenerate: str, fmt: str, show_diff: bool,
                 stream: IO[str], diffs: dict[str, str] | None = None) -> str:
    """What ``assembler check --format fmt`` prints for these states on ``stream``."""
    if fmt == "json":
        return check_json(states, regenerate, show_diff)
    if fmt == "github":
        return check_github(states, regenerate)
    return check_text(states, regenerate, Style(stream), show_diff, diffs)


# -- build -----------------------------------------------------------------------------------
def build_summary(written: int, unchanged: int, refused: int, removed: int = 0) -> str:
    """The last line of ``assembler build``: files written (created or updated), removed,
    unchanged and refused."""
    return (f"{written} written" + (f", {removed} removed" if removed else "")
            + f", {unchanged} unchanged" + (f", {refused} refused" if refused else "") + ".")


def write_build_report(result: "BuildResult", out: IO[str], err: IO[str]) -> None:
    """What ``assembler build`` prints of ``result``: each file written or removed on
    ``out``, notes, refusals (with the diff a build would discard) and kept files on
    ``err``, then the summary line on ``out``."""
    style, warn = Style(out), Style(err)
    for label, paths in (("created", result.created), ("updated", result.updated),
                         ("removed", result.removed)):
        out.writelines(f"{style(label, 'green')} {printable(path)}\n" for path in paths)
    for path in result.unverified:
        done = "removed" if path in result.removed else "overwritten"
        err.write(f"{warn('note', 'yellow')} {printable(path)} was {done} unchecked: its "
                  "banner has no hash, so a hand edit cannot be told from a stale file\n")
    for state in result.refused:
        err.write(f"{warn('refused', 'red')} {printable(state.path)}: edited by hand; "
                  "this is what a build would discard:\n" + colour_diff(state.diff(), warn))
    for state in result.kept:
        err.write(f"{warn('kept', 'yellow')} {printable(state.path)}: in a generated skill "
                  "folder, but no skill source provides it; move it into the skill's "
                  "source folder, or remove it\n")
    out.write(build_summary(len(result.created) + len(result.updated), result.unchanged,
                            len(result.refused) + len(result.kept), len(result.removed)) + "\n")


def print_diagnostics(diagnostics, fmt: str = "text", quiet: bool = False) -> None:
    """Report invalid input: JSON or annotations on stdout, text on stderr."""
    import sys

    if quiet:
        return
    if fmt == "json":
        sys.stdout.write(diagnostics_json(diagnostics))
        return
    if fmt == "github":
        sys.stdout.write(diagnostics_github(diagnostics))
    sys.stderr.write(diagnostics_text(diagnostics, Style(sys.stderr)))
