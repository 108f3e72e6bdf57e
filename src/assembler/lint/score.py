"""The lint score: one number that falls as findings rise, for search loops to optimise.

    penalty = 10 × errors + 3 × warnings
    score   = 100 × 100 / (100 + penalty), rounded to two decimals

A clean catalog scores 100; one error gives 90.91, ten errors 50. The score
never reaches 0, so a loop always sees whether a change helped. It depends only
on the findings, so the same files give the same score.
"""

from __future__ import annotations

from typing import Any

from .budgets import measure
from .engine import BY_CODE, RULES, LintReport

ERROR_WEIGHT = 10
WARNING_WEIGHT = 3


def score(report: LintReport) -> dict[str, Any]:
    penalty = ERROR_WEIGHT * report.errors + WARNING_WEIGHT * report.warnings
    by_family = {rule.family: 0 for rule in RULES}
    for finding in report.findings:
        by_family[BY_CODE[finding.code].family] += 1
    sizes = [measure(output) for output in report.context.outputs]
    metrics = {
        "errors": report.errors,
        "warnings": report.warnings,
        "silenced": report.silenced,
        "penalty": penalty,
        "agents": len(report.context.outputs),
        "blocks": len(report.context.catalog.blocks),
        "skills": len(report.context.catalog.skills),
        "by_family": by_family,
        "bytes_total": sum(s["bytes"] for s in sizes),
        "bytes_max": max((s["bytes"] for s in sizes), default=0),
        "tokens_total": sum(s["tokens"] for s in sizes),
        "tokens_max": max((s["tokens"] for s in sizes), default=0),
    }
    return {
        "score": round(100 * 100 / (100 + penalty), 2),
        "metrics": metrics,
        "findings": len(report.findings),
    }
