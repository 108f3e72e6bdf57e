"""The ``assembler`` commands: parse arguments, call the library, print, exit.

Exit codes are :class:`~assembler.diagnostics.Exit`: 0 success, 1 drift or
refused overwrite, 2 invalid input or usage, 3 internal error. Heavy modules
(jinja2, pydantic) are imported inside the commands so ``--help`` starts fast.
The console entry point (:mod:`assembler.cli.entry`) runs :data:`app`.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, NoReturn, Optional, TypeVar

import typer

from .. import __version__
from ..diagnostics import CatalogError, Diagnostics, Exit, did_you_mean, printable
from ..present import Style, plural
from .failures import reports_failures
from .progress import progress

if TYPE_CHECKING:
    from ..sources.catalog import Catalog

T = TypeVar("T")

app = typer.Typer(
    name="assembler",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Assemble agent prompt files from TOML manifests and shared Markdown blocks.",
)


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"


class ListFormat(str, Enum):
    text = "text"
    json = "json"


RootOption = typer.Option(
    None, "--root", metavar="DIR", file_okay=False,
    help="Catalog root (default: nearest folder upwards with assembler.toml).",
)


def _version(value: bool) -> None:
    if value:
        print(f"assembler {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Assemble agent prompt files from TOML manifests and shared Markdown blocks."""


def _fail(diagnostics, fmt: Format = Format.text, quiet: bool = False) -> NoReturn:
    from ..outputs.report import print_diagnostics

    print_diagnostics(diagnostics, fmt.value, quiet)
    raise typer.Exit(Exit.INPUT)


def _checked(call: Callable[[], T], fmt: Format = Format.text, quiet: bool = False) -> T:
    """Run a library call; invalid input is reported and exits 2."""
    try:
        return call()
    except CatalogError as exc:
        _fail(exc.diagnostics, fmt, quiet)


def _load(root: Optional[Path], fmt: Format = Format.text) -> "Catalog":
    from ..sources.catalog import load_catalog

    return _checked(lambda: load_catalog(root), fmt)


def _assemble(root: Optional[Path], fmt: Format = Format.text,
              names: Optional[List[str]] = None, quiet: bool = False):
    from ..outputs.render import assemble

    return _checked(lambda: assemble(root, names=names), fmt, quiet)


@app.command()
@reports_failures
def build(
    names: Optional[List[str]] = typer.Argument(
        None, metavar="[NAMES]...", help="Agents to build (name, id or path); default: all."),
    force: bool = typer.Option(False, "--force", help="Overwrite files that were edited by hand."),
    changed_since: Optional[str] = typer.Option(
        None, "--changed-since", metavar="REV",
        help="Rebuild only the agents whose sources changed since this git revision."),
    fail_on_change: bool = typer.Option(
        False, "--fail-on-change", help="Exit 1 when any file was written or removed."),
    sourcemap: bool = typer.Option(
        False, "--sourcemap", help="Also write a JSON source map per file to .assembler/sourcemaps/."),
    plugin: Optional[Path] = typer.Option(
        None, "--plugin", metavar="DIR", file_okay=False,
        help="Also write the agents and skills as a Claude Code plugin in DIR (.claude-plugin/plugin.json)."),
    root: Optional[Path] = RootOption,
) -> None:
    """Regenerate agent files. Exit 0 done, 1 refused (hand edits) or changed with
    --fail-on-change, 2 bad input."""
    from ..outputs import report as reporting
    from ..outputs.run import cached

    everything = not names and changed_since is None
    if plugin is not None and not everything:
        _fail(_usage("--plugin builds every agent: give no agent names or --changed-since"))
    # A source map or a plugin needs the render itself: neither takes the cache's answer
    # (the lookup still hashes the inputs, so that the render can be recorded).
    cache, clean = cached(root, everything, answer=not sourcemap and plugin is None,
                          meanwhile=True)
    if clean is not None:  # every output known to match its sources: nothing to write
        print(reporting.build_summary(0, len(clean), 0))
        return
    from ..outputs.stream import build_outputs  # the renderer, while the inputs are hashed
    from ..outputs.write import write_outputs

    cache.hashed()  # before anything reads an input
    prune = not names
    if changed_since is not None:
        names, prune = _changed_since(root, changed_since, names)
        if not names and not prune:
            return

    def before(catalog: "Catalog") -> None:  # refused before anything is written
        if sourcemap:
            from ..provenance.explain import SOURCEMAPS
            from ..sources.folders import check_state_path

            check_state_path(catalog.root, f"{SOURCEMAPS}/x.json")
        if plugin is not None:
            from ..outputs.plugin import check_plugin

            check_plugin(catalog, plugin)

    rendered: list = []
    if names == [] or plugin is not None:  # only orphans, or a plugin made from the files
        with progress("building"):
            if names == []:
                catalog = _load(root)
            else:
                catalog, rendered = _assemble(root, names=names)
        _checked(lambda: before(catalog))
        with progress("writing"):
            result = _checked(lambda: write_outputs(catalog, rendered, force, prune=prune))
        made = {item.agent.source for item in rendered}
        if everything:
            cache.store(catalog, rendered)
    else:  # each file compared, and written, where it is rendered
        with progress("building"):
            catalog, result, hashes = _checked(
                lambda: build_outputs(root, names, force, prune, before))
        made = {entry[0] for entry in hashes}
        if everything:
            cache.store_hashes(catalog, hashes)
    reporting.write_build_report(result, sys.stdout, sys.stderr)
    if sourcemap and made:
        from ..provenance.explain import write_sourcemaps

        ids = {one.id for one in (*catalog.agents, *catalog.skills) if one.source in made}
        for path in _checked(lambda: write_sourcemaps(catalog, ids)):
            print(f"{Style(sys.stdout)('source map', 'dim')} {path}")
    plugin_refused = _write_plugin(catalog, rendered, plugin, force) if plugin is not None else []
    if result.kept and not (result.refused or plugin_refused):
        raise typer.Exit(Exit.DRIFT)
    if result.refused or plugin_refused:
        sys.stderr.write(
            "Move the edits into the manifests or blocks they came from (`assembler adopt FILE` "
            "does it for edits inside one source), or run `assembler build --force` to "
            "overwrite the files above.\n")
        raise typer.Exit(Exit.DRIFT)
    if fail_on_change and result.changed:
        sys.stderr.write("Generated files were written (--fail-on-change): review and stage them.\n")
        raise typer.Exit(Exit.DRIFT)


def _usage(message: str) -> Diagnostics:
    diagnostics = Diagnostics()
    diagnostics.error("", 1, 1, message)
    return diagnostics


def _write_plugin(catalog: "Catalog", rendered, folder: Path, force: bool) -> list:
    """``build --plugin``: write the plugin, print what changed; the refused files."""
    from ..outputs.plugin import write_plugin

    outcome = _checked(lambda: write_plugin(catalog, rendered, folder, force))
    style, err = Style(sys.stdout), Style(sys.stderr)
    changed = [("written", p) for p in outcome.written] + [("removed", p) for p in outcome.removed]
    for label, path in changed:
        print(f"{style(label, 'green')} {printable(str(folder / path))}")
    sys.stderr.writelines(f"{err('refused', 'red')} {printable(str(folder / path))}: edited by hand "
                          "or not written by the assembler; kept\n" for path in outcome.refused)
    if outcome.missing:
        sys.stderr.write(f"note: plugin.json has no {', '.join(outcome.missing)}; "
                         "`claude plugin validate --strict` asks for them: set them in [plugin]\n")
    print(f"plugin {outcome.name}: {len(outcome.written)} written, {outcome.unchanged} unchanged"
          + (f", {len(outcome.removed)} removed" if outcome.removed else "") + ".")
    return outcome.refused


def _changed_since(root: Optional[Path], revision: str,
                   names: Optional[List[str]]) -> tuple[list[str], bool]:
    """The agents to rebuild for ``--changed-since``, and whether to prune orphans."""
    from ..provenance.impact import GitError, affected, changed_files

    if names:
        diagnostics = Diagnostics()
        diagnostics.error("", 1, 1, "give agent names or --changed-since, not both")
        _fail(diagnostics)
    catalog = _load(root)
    try:
        files = changed_files(catalog, revision)
    except GitError as exc:
        diagnostics = Diagnostics()
        diagnostics.error("", 1, 1, f"--changed-since {revision}: {exc}",
                          "pass a commit, branch or tag that exists in this repository")
        _fail(diagnostics)
    plan = affected(catalog, files)
    count = f"{plural(len(files), 'file')} changed since {revision}"
    what = (f"{len(plan.agents)} of the agents and skills" if catalog.skills
            else plural(len(plan.agents), "agent"))
    if plan.everything:
        print(f"{count}, including the config or a layout: rebuilding all "
              f"{len(plan.agents)} {'agents and skills' if catalog.skills else 'agents'}.")
    elif plan.agents:
        print(f"{count}: rebuilding {what}: {', '.join(plan.agents)}.")
    elif not plan.removed_manifests:
        print(f"{count}; no agent sources among them: nothing to build.")
    for path in plan.removed_manifests:
        print(f"{path} was removed: its generated file goes too.")
    return plan.agents, plan.everything or bool(plan.removed_manifests)


@app.command()
@reports_failures
def check(
    diff: bool = typer.Option(False, "--diff", help="Show a unified diff for each file."),
    fmt: Format = typer.Option(Format.text, "--format", help="Output format."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print nothing; exit code only."),
    root: Optional[Path] = RootOption,
) -> None:
    """Compare generated files with a fresh render. Exit 0 clean, 1 drift, 2 bad input."""
    from ..outputs.run import run_check
    from .fastpath import annotate_diffs

    with progress("checking", fmt is Format.text and not quiet):
        status = run_check(root, fmt.value, diff, quiet, annotate_diffs)
    raise typer.Exit(status)


@app.command()
@reports_failures
def lint(
    fmt: Format = typer.Option(Format.text, "--format", help="Output format."),
    score: bool = typer.Option(False, "--score",
                               help="Print one JSON object with a 0-100 score instead of findings."),
    select: Optional[List[str]] = typer.Option(
        None, "--select", metavar="CODES", help="Run only these rules (codes or prefixes, comma-separated)."),
    ignore: Optional[List[str]] = typer.Option(
        None, "--ignore", metavar="CODES", help="Skip these rules (codes or prefixes, comma-separated)."),
    today: Optional[str] = typer.Option(
        None, "--today", metavar="YYYY-MM-DD", help="Date to judge freshness against (default: today)."),
    root: Optional[Path] = RootOption,
) -> None:
    """Check sources and outputs against the lint rules. Exit 0 no errors, 1 errors, 2 bad input.

    With --score the exit code is 0 whenever a score was computed.
    """
    from datetime import date

    from ..lint import output
    from ..lint.engine import lint as run_lint

    try:
        day = date.fromisoformat(today) if today is not None else date.today()
    except ValueError:
        raise typer.BadParameter(f"{today!r} is not a date in the form YYYY-MM-DD",
                                 param_hint="--today") from None
    with progress("linting", fmt is Format.text and not score):
        report = _checked(lambda: run_lint(root, today=day, select=select or (),
                                           ignore=ignore or ()),
                          Format.json if score else fmt)
    if score:
        sys.stdout.write(output.score_json(report))
        return
    if fmt is Format.json:
        sys.stdout.write(output.as_json(report))
    elif fmt is Format.github:
        sys.stdout.write(output.github(report))
    else:
        sys.stdout.write(output.text(report, Style(sys.stdout)))
    if report.errors:
        raise typer.Exit(Exit.DRIFT)


@app.command("list")
@reports_failures
def list_agents(
    fmt: ListFormat = typer.Option(ListFormat.text, "--format", help="Output format."),
    root: Optional[Path] = RootOption,
) -> None:
    """List agents with their files (one per target), role, blocks and handoffs, then skills."""
    import json

    from ..outputs.render import outputs

    catalog = _load(root, Format(fmt.value))
    files = {agent.id: {o.target.name: o.path for o in outputs(catalog, agent)}
             for agent in catalog.agents}
    rows = [
        {
            "agent": agent.id,
            "output": next(iter(files[agent.id].values()), None),
            "targets": files[agent.id],
            "model": agent.manifest.model,
            "role": agent.role.name if agent.role else None,
            "role_blocks": list(agent.role.blocks) if agent.role else [],
            "blocks": list(agent.manifest.blocks),
            "handoffs": [h.target for h in agent.manifest.handoff],
        }
        for agent in catalog.agents
    ]
    skills = _skill_rows(catalog)
    if fmt is ListFormat.json:
        print(json.dumps(rows + skills, indent=2))
        return
    style = Style(sys.stdout)
    for row in rows:
        model = f" ({row['model']})" if row["model"] else ""
        print(f"{style(row['agent'], 'bold')}{model} → {', '.join(row['targets'].values()) or '-'}")
        if row["role"]:
            print(f"  role      {row['role']}: {', '.join(row['role_blocks'])}")
        print(f"  blocks    {', '.join(row['blocks']) or '-'}")
        if row["handoffs"]:
            print(f"  handoffs  {', '.join(row['handoffs'])}")
    for row in skills:
        print(f"{style('skill ' + row['skill'], 'bold')} → {', '.join(row['targets'].values()) or '-'}")
        print(f"  blocks    {', '.join(row['blocks']) or '-'}")
        if row["files"]:
            print(f"  files     {', '.join(row['files'])}")
    print(f"{len(rows)} agents." + (f" {plural(len(skills), 'skill')}." if skills else ""))


def _skill_rows(catalog: "Catalog") -> list[dict]:
    """`assembler list` rows of the skills: their SKILL.md per skills folder, blocks, files."""
    from ..outputs.skills import skill_outputs

    return [{"skill": skill.id,
             "targets": {o.format.key: o.path for o in skill_outputs(catalog, skill)},
             "blocks": list(skill.all_blocks),
             "files": [item.rel for item in skill.files]}
            for skill in catalog.skills]


class NewKind(str, Enum):
    skill = "skill"
    agent = "agent"


@app.command()
def new(
    kind: NewKind = typer.Argument(..., metavar="skill|agent", help="What to start."),
    name: str = typer.Argument(..., metavar="NAME", help="The new skill's or agent's name."),
    root: Optional[Path] = RootOption,
) -> None:
    """Write a new skill or agent manifest from its template. Exit 0 written, 1 the file
    exists (nothing is overwritten), 2 bad input."""
    from ..outputs.scaffold import scaffold

    done = _checked(lambda: scaffold(root, kind.value, name))
    path = printable(done.path)
    if not done.written:
        sys.stderr.write(f"{path} exists already; nothing was written. Edit it, or choose "
                         "another name.\n")
        raise typer.Exit(Exit.DRIFT)
    print(f"wrote {path} (from {printable(done.template)})")
    print(f"next: replace every <…> in {path}, then run `{printable(done.regenerate)}`")


@app.command("import")
@reports_failures
def import_(
    sources: List[Path] = typer.Argument(..., metavar="SRC...",
                                         help="Agent files, or folders searched recursively."),
    root: Optional[Path] = typer.Option(
        None, "--root", metavar="CATALOG", file_okay=False,
        help="Catalog to write (default: nearest folder upwards with assembler.toml, "
             "else the current folder)."),
    min_shared: int = typer.Option(2, "--min-shared", metavar="N",
                                   help="Files a section must appear in to become a block."),
    output: Optional[str] = typer.Option(
        None, "--output", metavar="DIR",
        help="Output folder for a new catalog's config (default: agents)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the report; write nothing."),
    strict: bool = typer.Option(
        False, "--strict", help="Write nothing unless every file found is imported."),
    source_format: Optional[str] = typer.Option(
        None, "--from", metavar="TARGET",
        help="Read every file as this target's format (default: from its folder and suffix)."),
    fmt: ListFormat = typer.Option(ListFormat.text, "--format", help="Output format."),
) -> None:
    """Adopt hand-written agent files as a catalog. Exit 0 all imported, 1 some refused or
    skipped (or nothing written), 2 bad usage."""
    from ..importing import report as import_report
    from ..sources.config import find_root
    from ..importing.importer import run_import

    if root is None:
        root = find_root(Path.cwd()) or Path.cwd()
    with progress("importing", fmt is ListFormat.text):
        result = _checked(lambda: run_import(sources, root, min_shared, dry_run, output, strict,
                                             source_format),
                          Format.json if fmt is ListFormat.json else Format.text)
    if fmt is ListFormat.json:
        sys.stdout.write(import_report.import_json(result))
    else:
        sys.stdout.write(import_report.import_text(result, Style(sys.stdout)))
    if result.blocked or not result.complete:
        raise typer.Exit(Exit.DRIFT)


def _target_output(catalog: "Catalog", target: str, fmt: Format = Format.text):
    """The generated file ``target`` names (path, id or name)."""
    from ..outputs.render import all_outputs, lookup

    found = lookup(catalog, target)
    if found is None:
        diagnostics = Diagnostics()
        diagnostics.error("", 1, 1, f"`{target}` is not a generated file of this catalog",
                          did_you_mean(target, [o.path for o in all_outputs(catalog)], "files"))
        _fail(diagnostics, fmt)
    return found


def _trace(catalog: "Catalog", fmt: Format = Format.text):
    from ..provenance.explain import trace_catalog

    return _checked(lambda: trace_catalog(catalog), fmt)


@app.command()
@reports_failures
def explain(
    target: str = typer.Argument(..., metavar="FILE[:LINE]",
                                 help="A generated file (path, agent id or name), with a line."),
    fmt: ListFormat = typer.Option(ListFormat.text, "--format", help="Output format."),
    root: Optional[Path] = RootOption,
) -> None:
    """Name the source of a line of a generated file, and the other agents it reaches.

    Without a line, outline the whole file: which source each stretch of lines
    comes from.
    """
    import json

    from ..provenance.explain import explain_json, explain_line, explain_text, outline_text

    name, _, number = target.rpartition(":")
    if not (name and number.isdigit()):
        name, number = target, ""
    shown = Format(fmt.value)
    catalog = _load(root, shown)
    output = _target_output(catalog, name, shown)
    trace = _trace(catalog, shown)
    smap = trace.maps[output.path]
    try:
        actual: Optional[bytes] = (catalog.root / output.path).read_bytes()
    except FileNotFoundError:
        actual = None
    if not number:
        if fmt is ListFormat.json:
            print(json.dumps(smap.as_dict(), indent=2, ensure_ascii=False))
        else:
            sys.stdout.write(outline_text(trace, smap))
        return
    count = len(actual.splitlines()) if actual is not None else len(smap.lines)
    if not 1 <= int(number) <= count:
        diagnostics = Diagnostics()
        diagnostics.error(output.path, max(count, 1), 1,
                          f"line {number} is outside the file (it has {count} lines)")
        _fail(diagnostics, shown)
    report = explain_line(trace, output.path, int(number), actual)
    if fmt is ListFormat.json:
        print(json.dumps(explain_json(report), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(explain_text(report, trace, output.agent))


@app.command()
@reports_failures
def adopt(
    target: str = typer.Argument(..., metavar="FILE", help="A hand-edited generated file."),
    root: Optional[Path] = RootOption,
) -> None:
    """Write a hand edit of a generated file back into its source, then rebuild.

    Exit 0 adopted (or nothing to adopt), 1 refused, 2 bad input.
    """
    from ..credentials import mask
    from ..provenance.adopt import adopt as adopt_edit

    catalog = _load(root)
    output = _target_output(catalog, target)
    outcome = _checked(lambda: adopt_edit(catalog, output.path))
    style = Style(sys.stdout)
    if outcome.status == "clean":
        print(f"{outcome.path} matches a fresh render: nothing to adopt.")
        return
    if outcome.status == "not-edited":
        print(f"{outcome.path} was not edited by hand (its banner hash matches); "
              "`assembler build` brings it up to date.")
        return
    if outcome.recovered:
        print(f"kept a copy of the edited file at {outcome.recovered}")
    if outcome.status == "refused":
        err = Style(sys.stderr)
        sys.stderr.write(f"{err('refused', 'red')} {outcome.path}: the edit cannot be adopted:\n")
        for reason in outcome.refusals:  # they quote the file: shown masked and escaped
            sys.stderr.write(f"  - {printable(mask(reason))}\n")
        sys.stderr.write(f"No source was changed and {outcome.path} was left as it is.\n")
        raise typer.Exit(Exit.DRIFT)
    for edit in outcome.edits:
        print(f"{style('adopted', 'green')} into {edit.describe()}")
    result = outcome.build
    assert result is not None
    for label, paths in (("created", result.created), ("updated", result.updated)):
        for path in paths:
            print(f"{style(label, 'green')} {path}")
    for state in result.refused:
        sys.stderr.write(f"{style('refused', 'red')} {state.path}: edited by hand too; "
                         "adopt or rebuild it separately\n")
    print(f"{len(result.created) + len(result.updated)} written, {result.unchanged} unchanged.")


@app.command()
@reports_failures
def uses(
    name: str = typer.Argument(..., metavar="BLOCK_OR_ROLE", help="A block or role name."),
    fmt: ListFormat = typer.Option(ListFormat.text, "--format", help="Output format."),
    root: Optional[Path] = RootOption,
) -> None:
    """List the agents that include a block or role, directly or through a role."""
    import json

    from ..provenance import impact

    catalog = _load(root, Format(fmt.value))
    result = impact.uses(catalog, name)
    if not result.found:
        diagnostics = Diagnostics()
        diagnostics.error("", 1, 1, f"no block or role named `{result.name}`",
                          impact.suggestion(catalog, result.name))
        _fail(diagnostics, Format(fmt.value))
    if fmt is ListFormat.json:
        print(json.dumps(impact.uses_json(catalog, result), indent=2))
    else:
        sys.stdout.write(impact.uses_text(result))


@app.command()
def schema(
    kind: str = typer.Argument(..., metavar="manifest|config|role|skill",
                               help="The kind of file whose JSON Schema to print."),
) -> None:
    """Print the JSON Schema of a kind of input file, for editors (Taplo, Even Better TOML)."""
    import json

    from ..targets.input_schemas import KINDS, schema as input_schema

    if kind not in KINDS:
        diagnostics = Diagnostics()
        diagnostics.error("", 1, 1, f"no schema for `{kind}`",
                          did_you_mean(kind, list(KINDS), "kinds") or f"use one of: {', '.join(KINDS)}")
        _fail(diagnostics)
    sys.stdout.write(json.dumps(input_schema(kind), indent=2, ensure_ascii=False) + "\n")


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"


@app.command()
def graph(
    fmt: GraphFormat = typer.Option(GraphFormat.mermaid, "--format", help="Output format."),
    roles: bool = typer.Option(False, "--roles",
                               help="Also draw each agent's role, the roles it extends and the blocks."),
    output: Optional[Path] = typer.Option(
        None, "--output", metavar="FILE",
        help="Write the drawing to FILE instead of stdout; in a .md file, between the "
             "`<!-- BEGIN assembler graph -->` and `<!-- END assembler graph -->` lines."),
    root: Optional[Path] = RootOption,
) -> None:
    """Draw the agents and their handoffs (Mermaid or Graphviz DOT).

    Handoffs on a cycle that no cycle_reason explains are marked. Exit 0, 1 a Markdown
    FILE without the markers (left alone), 2 bad input.
    """
    from ..outputs.write import write_atomic
    from ..provenance.graph import (BEGIN, END, catalog_graph, draw, markdown_region,
                                    place_in_markdown)

    catalog = _load(root)
    drawing = catalog_graph(catalog, roles=roles)
    if output is None:
        sys.stdout.write(draw(drawing, fmt.value))
        return
    text: Optional[str] = draw(drawing, fmt.value)
    if output.suffix == ".md":
        existing = output.read_text(encoding="utf-8") if output.is_file() else None
        region = markdown_region(drawing, fmt.value, catalog.settings.config.regenerate)
        text = place_in_markdown(existing, region, "Handoffs between the agents")
        if text is None:
            sys.stderr.write(f"refused {output}: it has no `{BEGIN}` … `{END}` lines; put them "
                             "where the drawing goes (the text between them is replaced)\n")
            raise typer.Exit(Exit.DRIFT)
    data = text.encode("utf-8")
    if output.is_file() and output.read_bytes() == data:
        print(f"{output}: unchanged")
        return
    write_atomic(output, data)
    print(f"{Style(sys.stdout)('written', 'green')} {output}")


@app.command()
def init(
    directory: Path = typer.Argument(Path("."), metavar="[DIR]",
                                     help="Folder of the new catalog (default: the current folder)."),
    adopt: Optional[Path] = typer.Option(
        None, "--adopt", metavar="FOLDER",
        help="Adopt the agent files of FOLDER (e.g. .claude/agents) in place instead."),
) -> None:
    """Start a catalog: a config, one agent, one block and one role; or adopt existing files.

    Never overwrites a file. Exit 0 written, 1 refused (files exist), 2 bad input.
    """
    from ..scaffold import adopt_folder, init_catalog

    with progress("adopting"):
        result = _checked(lambda: adopt_folder(directory, adopt) if adopt is not None
                          else init_catalog(directory))
    style = Style(sys.stdout)
    if result.refused:
        err = Style(sys.stderr)
        for path in result.refused:
            sys.stderr.write(f"{err('exists', 'red')} {path}\n")
        sys.stderr.write(f"Nothing was written: {plural(len(result.refused), 'file')} would be "
                         "overwritten. To add agents to an existing catalog, create a manifest in "
                         "it (or use `assembler import`).\n")
        raise typer.Exit(Exit.DRIFT)
    for path in result.written:
        print(f"{style('created', 'green')} {path}")
    root = "" if directory == Path(".") else f" --root {directory}"
    if result.imported is not None:
        built = result.built
        adopted = len(built.created) + len(built.updated) if built else 0
        print(f"Adopted {plural(len(result.imported.files), 'agent file')} in place "
              f"({adopted} given their banner); `assembler check{root}` is clean.")
        for problem in result.imported.problems:  # left as they are, and not checked
            shown = Path(problem.source)
            shown = shown.relative_to(result.root) if shown.is_relative_to(result.root) else shown
            print(f"  {problem.status} {printable(shown.as_posix())}: {printable(problem.reason)}")
        print(f"Next: review _blocks/ and _manifests/, then commit them with {adopt}.")
        return
    print(f"Next: `assembler build{root}` writes .claude/agents/reviewer.md; add agents as "
          "_manifests/<name>.toml.\n"
          "For a Makefile (make agents, and a drift check in make test or CI):\n"
          "  agents:\n\tassembler build\n  check:\n\tassembler check")


@app.command()
def watch(root: Optional[Path] = RootOption) -> None:
    """Rebuild on every change to manifests, blocks, roles, templates or the config.

    One line per rebuild; invalid input is reported and watching goes on; hand-edited
    outputs are never overwritten. Ctrl-C stops it with exit 0; 2 no catalog found.
    """
    from ..outputs.watch import locate_root, watch_catalog

    directory = _checked(lambda: locate_root(root, Path.cwd()))
    try:
        watch_catalog(directory, sys.stdout, sys.stderr)
    except KeyboardInterrupt:  # between two waits, e.g. during a rebuild
        pass
