"""Printing lint results: text for people, JSON and GitHub annotations for machines, the score."""

from __future__ import annotations

import json

from ..diagnostics import printable
from ..present import Style, github_annotation, plural
from .engine import BY_CODE, LintReport
from .score import score

_SEVERITY_COLOURS = {"error": "red", "warning": "yellow"}


def text(report: LintReport, style: Style) -> str:
    """Findings for a terminal: messages quote file contents, so control characters in
    them are shown escaped."""
    lines = []
    for f in report.findings:
        where = style(f"{printable(f.path)}:{f.line}:{f.column}:", "bold")
        severity = style(f.severity, _SEVERITY_COLOURS[f.severity])
        lines.append(f"{where} {style(f.code, 'bold')} {severity}: {printable(f.message)}")
        if f.hint:
            lines.append(f"  {style('hint:', 'cyan')} {printable(f.hint)}")
    outputs = report.context.outputs
    agents = len({output.agent.id for output in outputs})
    scope = plural(agents, "agent")
    if len(outputs) != agents:
        scope += f" ({plural(len(outputs), 'file')})"
    if report.context.catalog.skills:
        scope += f" and {plural(len(report.context.catalog.skills), 'skill')}"
    if report.findings:
        counts = [_count(report.errors, "error"), _count(report.warnings, "warning")]
        summary = ", ".join(c for c in counts if c) + f" in {scope}"
    else:
        summary = style(f"No findings in {scope}", "green")
    if report.silenced:
        summary += f"; {_count(report.silenced, 'finding')} silenced by comments"
    lines.append(summary + ".")
    return "\n".join(lines) + "\n"


def _count(number: int, noun: str) -> str:
    return plural(number, noun) if number else ""


def as_json(report: LintReport) -> str:
    return json.dumps([f.as_dict() for f in report.findings], indent=2, ensure_ascii=False) + "\n"


def github(report: LintReport) -> str:
    return "".join(
        github_annotation(
            f.path, f.line, f.message + (f" (hint: {f.hint})" if f.hint else ""), f.column,
            f"{f.code} {BY_CODE[f.code].name}", level=f.severity,
        ) + "\n"
        for f in report.findings
    )


def score_json(report: LintReport) -> str:
    return json.dumps(score(report), sort_keys=True) + "\n"

