"""Running the rules: collect findings, move them to their sources, merge, silence, select.

The order matters. A finding seen in a generated file first moves to the source
line that produced it (so a block used by seven agents yields one finding, not
seven); identical findings then merge; silencing comments are read in the file
the finding ends up in; severities from the config apply last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Iterable, Iterator, Sequence

from ..sources.catalog import Agent, Catalog
from ..sources.config import Settings
from ..diagnostics import CatalogError, Diagnostic, Diagnostics, did_you_mean
from ..outputs.render import Rendered
from .. import parallel
from ..sources.toml import read_text
from . import budgets, consistency, freshness, names, placeholders, references, secrets, structure
from . import frontmatter
from . import plugin
from . import skills
from . import suppress
from ..sources.lintconfig import LintConfig
from .context import Kept, LintContext, Origin, Output, build_context, keep_lines
from .rules import CODE, SELECTOR, Finding, Rule, matches, split_codes

FAMILIES = (structure, frontmatter, references, names, placeholders, freshness, secrets, budgets,
            skills, consistency, plugin)
RULES: tuple[Rule, ...] = suppress.RULES + tuple(rule for family in FAMILIES for rule in family.RULES)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
_ASIDE = (consistency,)  # run beside the others where there is a second core (see _check)
_SHOWN_OUTPUTS = 3
_MIN_VALUE_SNIPPET = 5  # shorter matched text is too common to pin on a config value


@dataclass
class LintReport:
    """The outcome of one lint run."""

    findings: list[Finding]
    silenced: int
    context: LintContext

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")


def lint(root: Path | None = None, cwd: Path | None = None, *, today: date,
         select: Sequence[str] = (), ignore: Sequence[str] = ()) -> LintReport:
    """Load, render in memory and lint a catalog. Raises CatalogError on invalid input.

    Each agent's files are turned into lines where they are rendered (see
    :func:`~.context.keep_lines`): the rendered bytes never pile up."""
    from ..compose.render import Renderer
    from ..outputs import render
    from ..outputs.skills import render_skills

    catalog, agents, skills, diagnostics = render.prepare(root, cwd)
    renderer = Renderer(catalog)
    shared: dict[str, str] = {}
    kept: list[Rendered | tuple[Agent, Kept]] = [  # a forked worker's lines: shared here too
        (agent, item._replace(lines=[shared.setdefault(line, line) for line in item.lines]))
        for agent, item in render.render_each(renderer, agents,
                                              lambda item: keep_lines(item, shared))]
    del shared  # each line is held by the outputs that have it
    kept += render_skills(renderer, skills)
    diagnostics.extend(renderer.failures())
    if diagnostics:
        raise CatalogError(diagnostics)
    return lint_catalog(catalog, kept, today=today, select=select, ignore=ignore)


def lint_catalog(catalog: Catalog, rendered: "list[Rendered | tuple[Agent, Kept]]", *,
                 today: date, select: Sequence[str] = (), ignore: Sequence[str] = ()
                 ) -> LintReport:
    """Run the active rules over a rendered catalog (its files as rendered, or an agent's
    as :func:`~.context.keep_lines` keeps them); nothing is written."""
    select, ignore = split_codes(select), split_codes(ignore)
    problems = config_problems(catalog.settings)
    problems.extend(selector_problems(select, "--select") + selector_problems(ignore, "--ignore"))
    if problems:
        raise CatalogError(problems)
    config = catalog.settings.config.lint
    active = active_codes(config, select, ignore)
    needs = [need for family in FAMILIES for need in getattr(family, "LINE_NEEDS", ())]
    from ..outputs.skills import is_skill_file

    shared: dict[str, str] = {}
    outputs = [item if isinstance(item, tuple) else (item.agent, keep_lines(item, shared))
               for item in rendered if isinstance(item, tuple) or not is_skill_file(item)]
    ctx = build_context(catalog, outputs, config, today, frozenset(active), needs)
    ctx.skill_files = [item for item in rendered
                       if not isinstance(item, tuple) and is_skill_file(item)]

    found = _check([family for family in FAMILIES if any(rule.code in active for rule in family.RULES)],
                   ctx, frozenset(active))
    silencers = {
        path: suppress.read_silencer(path, file.lines, file.markdown, BY_CODE)
        if suppress.MARK in file.text else suppress.Silencer()
        for path, file in ctx.files.items()
    }
    if "AA001" in active:
        for path, silencer in silencers.items():
            if ctx.files[path].kind != "output":
                found.extend(silencer.problems)

    by_path = {output.path: output for output in ctx.outputs}
    merged = _merge(ctx, [_relocate(ctx, by_path, finding) for finding in found])
    for finding in merged:  # findings in files the catalog does not load, e.g. `claude.md`
        if finding.path not in silencers:
            silencers[finding.path] = _silencer_on_disk(ctx.root, finding.path)
    kept = [f for f in merged if not silencers[f.path].covers(f)]
    final = sorted((_finish(f, config) for f in kept),
                   key=lambda f: (f.path, f.line, f.column, f.code, f.message))
    return LintReport(final, len(merged) - len(kept), ctx)


def _check(families: list[ModuleType], ctx: LintContext, active: frozenset[str]) -> list[Finding]:
    """The active findings of ``families``, family by family in their order.

    The families of :data:`_ASIDE` read only the sources, and on a large catalog
    take as long as all the others together, which read the rendered outputs:
    when the catalog is large enough to render on several cores (see
    :mod:`~assembler.parallel`), they run in a forked process while this one
    runs the rest. Rules are pure functions of the context, so the findings are
    those of one process doing both."""
    aside = [family for family in families if family in _ASIDE]
    here = [family for family in families if family not in _ASIDE]

    def work(groups: list[list[ModuleType]]) -> dict[str, list[Finding]]:
        return {family.__name__: [f for f in family.check(ctx) if f.code in active]
                for group in groups for family in group}

    workers = min(2, parallel.worker_count(len(ctx.catalog.agents))) if aside and here else 1
    by_family: dict[str, list[Finding]] = {}
    for part in parallel.fork_map(work, [here, aside], workers):
        by_family.update(part)
    return [finding for family in families for finding in by_family[family.__name__]]


def _silencer_on_disk(root: Path, path: str) -> suppress.Silencer:
    """The silencing comments of a Markdown or TOML file outside the loaded catalog."""
    suffix = Path(path).suffix
    if suffix not in (".md", ".toml"):
        return suppress.Silencer()
    text = read_text(root / path, path, Diagnostics())
    if text is None:
        return suppress.Silencer()
    return suppress.read_silencer(path, text.split("\n"), suffix == ".md", BY_CODE)


def active_codes(config: LintConfig, select: Iterable[str], ignore: Iterable[str]) -> set[str]:
    """Codes that run: ``--select`` overrides the config; ``--ignore`` always removes."""
    select, ignore = list(select), list(ignore)
    if select:
        chosen = {rule.code for rule in RULES if matches(rule.code, select)}
    else:
        chosen = {
            rule.code for rule in RULES
            if (rule.enabled or matches(rule.code, config.enable))
            and not matches(rule.code, config.disable)
        }
    return {code for code in chosen if not matches(code, ignore)}


def config_problems(settings: Settings) -> Diagnostics:
    """Unknown rule codes in the ``[lint]`` table, located in the config file."""
    diagnostics = Diagnostics()
    document = settings.document
    if document is None:
        return diagnostics
    config = settings.config.lint
    for key, values in (("enable", config.enable), ("disable", config.disable)):
        for index, value in enumerate(values):
            problem = _selector_problem(value.upper())
            if problem:
                diagnostics.error(document.path, *document.locate(("lint", key, index), value=True),
                                  f"`lint.{key}`: {problem}", _code_hint(value))
    for code in config.severity:
        if code not in BY_CODE:
            diagnostics.error(document.path, *document.locate(("lint", "severity", code)),
                              f"`lint.severity`: `{code}` is not a known rule code", _code_hint(code))
    return diagnostics


def selector_problems(selectors: Iterable[str], option: str) -> list[Diagnostic]:
    return [
        Diagnostic("", 1, 1, f"{option}: {problem}", _code_hint(selector))
        for selector in selectors
        if (problem := _selector_problem(selector))
    ]


def _selector_problem(selector: str) -> str | None:
    if not SELECTOR.match(selector) or selector == "AA":
        return f"`{selector}` is not a rule code or code prefix (like `AA101` or `AA1`)"
    if not any(code.startswith(selector) for code in BY_CODE):
        return f"`{selector}` matches no rule"
    return None


def _code_hint(value: str) -> str:
    close = did_you_mean(value.upper(), BY_CODE, "codes") if CODE.match(value.upper()) else None
    return close if close and close.startswith("did") else "see docs/rules.md for every rule code"


def _relocate(ctx: LintContext, outputs: dict[str, Output], finding: Finding) -> Finding:
    """Move a finding from a generated file to the source line its text came from.

    That is the line the output line was rendered from, when it holds the
    matched text; otherwise a string value of the manifest, role or config
    holding it — a value a block rendered through ``{{ vars.x }}``.
    """
    output = outputs.get(finding.path)
    if output is None or not 0 < finding.line <= len(output.lines):
        return finding
    for origin in _candidates(output, finding):
        source = ctx.files.get(origin.path) if origin is not None else None
        if origin is None or source is None or origin.line > len(source.lines):
            continue
        column = source.lines[origin.line - 1].find(finding.snippet) if finding.snippet else 0
        if column >= 0:
            return finding.moved(path=origin.path, line=origin.line, column=column + 1,
                                 outputs=(finding.path,))
    return finding


def _candidates(output: Output, finding: Finding) -> Iterator[Origin | None]:
    """Where a finding may have come from, best first; worked out only as far as needed."""
    yield output.origin(finding.line - 1)
    if finding.snippet is not None and len(finding.snippet) >= _MIN_VALUE_SNIPPET:
        yield from (origin for value, origin in output.sorted_values
                    if finding.snippet in value)


def _merge(ctx: LintContext, findings: list[Finding]) -> list[Finding]:
    """One finding per place and problem, listing the generated files it shows in.

    A secret is scanned for in sources and outputs alike; when a value found in
    an output was already found in a source, the source finding is enough.
    """
    outputs = {output.path for output in ctx.outputs}
    at_source = {(f.code, f.snippet) for f in findings
                 if f.path not in outputs and f.snippet is not None}
    merged: dict[tuple, Finding] = {}
    for finding in findings:
        if finding.path in outputs and BY_CODE[finding.code].family == "secrets" \
                and (finding.code, finding.snippet) in at_source:
            continue
        key = (finding.code, finding.path, finding.line, finding.column, finding.message, finding.hint)
        if key in merged:
            seen = merged[key]
            finding = seen.moved(outputs=tuple(sorted(set(seen.outputs) | set(finding.outputs))))
        merged[key] = finding
    return list(merged.values())


def _finish(finding: Finding, config: LintConfig) -> Finding:
    """Apply the configured severity and name the generated files a source finding affects."""
    severity = config.severity.get(finding.code, BY_CODE[finding.code].severity)
    message = finding.message
    if finding.outputs and finding.path not in finding.outputs:
        shown = ", ".join(f"`{o}`" for o in finding.outputs[:_SHOWN_OUTPUTS])
        more = len(finding.outputs) - _SHOWN_OUTPUTS
        message += f" (in {shown}{f' and {more} more' if more > 0 else ''})"
    return finding.moved(severity=severity, message=message)
