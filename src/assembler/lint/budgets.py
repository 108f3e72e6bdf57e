"""Budgets: generated files within configured sizes and within the known limits of targets.

Configured limits come from ``[lint.budgets]`` (bytes, lines, estimated
tokens). Target limits are published limits of other agent formats, checked
when ``[lint.budgets] targets`` names them, so an agent meant to be ported is
known to fit before it is.
"""

from __future__ import annotations

from typing import Iterator

from ..targets.registry import enabled, get, porting_limits
from .context import LintContext, Output
from .rules import Finding, Rule

RULES = (
    Rule("AA701", "byte-budget", "budgets", "error",
         "a generated file is larger than `[lint.budgets] bytes`"),
    Rule("AA702", "line-budget", "budgets", "error",
         "a generated file has more lines than `[lint.budgets] lines`"),
    Rule("AA703", "token-budget", "budgets", "error",
         "a generated file's estimated token count is over `[lint.budgets] tokens`"),
    Rule("AA704", "target-limit", "budgets", "error",
         "a generated file would not fit a target named in `[lint.budgets] targets`"),
)



def measure(output: Output) -> dict[str, int]:
    return {key: size_of(output, key) for key in ("bytes", "lines", "tokens")}


def size_of(output: Output, key: str) -> int:
    """One measure of ``measure``; the token estimate is the costly one."""
    if key == "bytes":
        return len(output.data)
    if key == "lines":
        return output.file.text.count("\n")
    return output.tokens


def check(ctx: LintContext) -> Iterator[Finding]:
    budgets = ctx.config.budgets
    targets = enabled(ctx.catalog.settings)
    enabled_names = {target.name for target in targets}
    first = targets[0].name if targets else None
    for output in ctx.outputs:
        at = output.agent.document.locate  # positions are worked out only for a finding
        for code, key, unit in (("AA701", "bytes", "bytes"), ("AA702", "lines", "lines"),
                                ("AA703", "tokens", "estimated tokens")):
            limit = getattr(budgets, key)
            if limit is not None and (measured := size_of(output, key)) > limit:
                yield Finding(
                    code, output.agent.source, *at(("name",)),
                    f"`{output.path}` has {measured:,} {unit}, over the budget of {limit:,}",
                    "move detail out into a shared reference file the agent reads on demand, drop "
                    f"blocks it does not need, or raise [lint.budgets] {key}")
        target = get(output.target)
        for limit in target.limits:
            size = limit.measure(output.data, output.agent)
            if size > limit.limit:
                yield Finding(
                    "AA704", output.agent.source, *at((limit.at,)),
                    f"`{output.path}` is over the {target.name} limit for its {limit.what}: "
                    f"{size:,} {limit.unit}, limit {limit.limit:,}",
                    "shorten it: move detail into a reference file the agent reads on demand")
        if output.target != first:
            continue  # porting checks measure each agent once, on its first target's file
        for name in budgets.targets:
            if name in enabled_names:
                continue  # the target's own files are measured against its own limits
            limit = porting_limits()[name]
            size = limit.measure(output.data, output.agent)
            if size > limit.limit:
                yield Finding(
                    "AA704", output.agent.source, *at((limit.at,)),
                    f"`{output.path}` would not fit a {name} {limit.what}: {size:,} {limit.unit}, "
                    f"limit {limit.limit:,}",
                    "shorten it, or remove the target from [lint.budgets] targets")
