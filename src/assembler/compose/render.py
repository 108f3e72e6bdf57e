"""Rendering agents: blocks through a sandboxed Jinja2, then the target layout.

Each block is compiled once per run, whatever the number of agents using it;
blocks without Jinja2 syntax are not compiled at all. Rendering is a pure
function of the catalog: sorted inputs, no clock, no environment, LF endings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..outputs.banner import PLACEHOLDER, LayoutError, stamp
from ..sources.catalog import Agent, Catalog, load_partial
from ..diagnostics import CatalogError, Diagnostics, did_you_mean
from ..sources.fidelity import TEXT_PREFIX, body_parts, finish, frontmatter_text

TARGET_LAYOUTS = {"claude-code": "claude-code.md.j2"}


@dataclass(frozen=True)
class Rendered:
    """One generated file, in memory."""

    agent: Agent
    path: str  # relative to the root
    data: bytes


def make_environment(loader: jinja2.BaseLoader | None = None) -> SandboxedEnvironment:
    """The one Jinja2 configuration used for blocks and layouts."""
    return SandboxedEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


class _Source:
    """A template's text, where its errors are reported, and its line offset."""

    def __init__(self, text: str, path: str, first_line: int = 1):
        self.text, self.path, self.first_line = text, path, first_line


class Renderer:
    """Compiles a catalog's blocks and layout once, then renders agents."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.diagnostics = Diagnostics()
        self._sources: dict[str, _Source] = {}
        self._failures: dict[tuple[str, int, str], list[str]] = {}
        self.env = make_environment(jinja2.FunctionLoader(self._load_source))
        self.blocks: dict[str, jinja2.Template | str] = {}
        for name, block in sorted(catalog.blocks.items()):
            self._sources[f"block:{name}"] = _Source(block.source, block.path, block.body_line)
            if block.is_static:
                self.blocks[name] = block.source
            else:
                compiled = self._compile(f"block:{name}")
                if compiled is not None:
                    self.blocks[name] = compiled
        self.layout = self._compile_layout()

    # -- compilation -----------------------------------------------------------------
    def _load_source(self, name: str) -> tuple[str, str, Callable[[], bool]] | None:
        source = self._sources.get(name)
        return None if source is None else (source.text, source.path, lambda: True)

    def _compile(self, name: str) -> jinja2.Template | None:
        source = self._sources[name]
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            self.diagnostics.error(
                source.path, (exc.lineno or 1) + source.first_line - 1, 1,
                f"Jinja2 syntax error: {exc.message}",
                "fix the template tag; `{{ … }}` prints a value, `{% … %}` is a statement",
            )
            return None

    def _compile_layout(self) -> jinja2.Template | None:
        settings = self.catalog.settings
        filename = TARGET_LAYOUTS[settings.config.target]
        override = settings.folder("templates") / filename
        if override.is_file():
            rel = override.relative_to(settings.root).as_posix()
            text = override.read_text("utf-8").replace("\r\n", "\n")
        else:
            rel = f"<assembler>/layouts/{filename}"
            text = resources.files("assembler").joinpath("layouts", filename).read_text("utf-8")
        self._sources["layout"] = _Source(text, rel)
        return self._compile("layout")

    # -- rendering -------------------------------------------------------------------
    def _run(self, name: str, template: jinja2.Template | str, context: dict[str, Any],
             agent: Agent) -> str | None:
        if isinstance(template, str):
            return template
        try:
            return template.render(context)
        except Exception as exc:  # any template failure is an input error, never a crash
            source = self._sources[name]
            line = _template_line(exc, source.path)
            message = _describe(exc, source.text.splitlines()[line - 1:line])
            line += source.first_line - 1
            self._failures.setdefault((source.path, line, message), []).append(agent.id)
            return None

    def render_agent(self, agent: Agent) -> Rendered | None:
        context = block_context(agent, self.catalog)
        placements: dict[str, list[str]] = {"substrate": [], "body": [], "footer": []}
        failed = False
        role_blocks = agent.role.blocks if agent.role else ()
        for section, names in (("substrate", role_blocks), ("body", agent.manifest.blocks),
                               ("footer", agent.manifest.footer)):
            for name in names:
                if section != "substrate" and name.startswith(TEXT_PREFIX):
                    own = agent.manifest.text.get(name[len(TEXT_PREFIX):], "")
                    if own:  # the agent's own text: as written, blank lines kept
                        placements[section].append(own)
                    continue
                template = self.blocks.get(name)
                text = None if template is None else self._run(f"block:{name}", template, context, agent)
                if text is None:
                    failed = True
                    continue
                text = text.strip("\n")
                if text:
                    footer = self.catalog.blocks[name].meta.placement == "footer"
                    placements["footer" if footer else section].append(text)
        if failed or self.layout is None:
            return None
        layout_context = self._layout_context(agent, context, placements)
        text = self._run("layout", self.layout, layout_context, agent)
        if text is None:
            return None
        text = finish(text.rstrip("\n") + "\n", agent.manifest)
        try:
            text = stamp(text, agent.source, self.catalog.settings.config.regenerate)
        except LayoutError as exc:
            self.diagnostics.error(self._sources["layout"].path, 1, 1, str(exc),
                                   "put `{{ banner }}` alone on the line after the frontmatter")
            return None
        return Rendered(agent, agent.output, text.encode("utf-8"))

    def _layout_context(self, agent: Agent, context: dict[str, Any],
                        placements: dict[str, list[str]]) -> dict[str, Any]:
        manifest = agent.manifest
        layout = self.catalog.settings.config.layout
        report_fields = [*layout.report_fields, *manifest.output_extra_fields,
                         *layout.report_closing_fields]
        role = agent.role
        return {
            **context,
            "frontmatter": frontmatter_text(manifest),
            "banner": PLACEHOLDER,
            "body": body_parts(manifest),
            "role_text": manifest.role.strip("\n"),
            "substrate": None if role is None or not placements["substrate"] else {
                "name": role.name,
                "preamble": (role.role.preamble or "").strip("\n"),
                "blocks": placements["substrate"],
            },
            "blocks": placements["body"],
            "footer": placements["footer"],
            "domain_in": manifest.domain_in,
            "handoffs": [h.model_dump() for h in manifest.handoff],
            "forbidden": manifest.forbidden_domain,
            "report": {
                "title": f"=== {manifest.name.upper()} REPORT ===",
                "fields": report_fields,
            },
            "references": [*layout.references, *(f"`{r}`" for r in manifest.references.extra)],
        }

    def render_all(self, only: set[str] | None = None) -> list[Rendered]:
        """Render the agents (all, or the ids in ``only``); failures are collected.

        Large catalogs are rendered on every core (see :mod:`assembler.parallel`).
        """
        from .parallel import render_agents

        return render_agents(self, [a for a in self.catalog.agents if only is None or a.id in only])

    def failures(self) -> Diagnostics:
        """Template errors, one per source line, naming the agents they broke."""
        diagnostics = Diagnostics(list(self.diagnostics))
        for (path, line, message), agents in sorted(self._failures.items()):
            shown = ", ".join(agents[:3]) + (f" and {len(agents) - 3} more" if len(agents) > 3 else "")
            diagnostics.error(path, line, 1, f"{message} (rendering {shown})",
                              "define the variable in the manifest's or the config's [vars], "
                              "or guard it with `{% if … is defined %}`"
                              if "undefined" in message else None)
        return diagnostics


def block_context(agent: Agent, catalog: Catalog) -> dict[str, Any]:
    """What a block template can see: the agent, merged vars, the role name."""
    manifest = agent.manifest
    return {
        "agent": {
            "id": agent.id,
            "name": manifest.name,
            "description": manifest.description,
            "tools": list(manifest.tools),
            "model": manifest.model,
            "handoffs": [h.target for h in manifest.handoff],
        },
        "vars": {**catalog.settings.config.vars, **manifest.vars},
        "role": agent.role.name if agent.role else None,
    }


def _template_line(exc: BaseException, filename: str) -> int:
    """The template line an exception was raised from (Jinja2 maps its frames)."""
    line = getattr(exc, "lineno", None) or 1
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _describe(exc: BaseException, source_line: list[str]) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        message = exc.message or ""
        attribute = re.search(r"has no attribute '([^']+)'", message)
        if attribute:
            name = attribute.group(1)
            used = re.search(rf"([\w.]+)\.{re.escape(name)}\b", "".join(source_line))
            return f"undefined variable `{used.group(0) if used else name}`"
        plain = re.match(r"'([^']+)' is undefined", message)
        if plain:
            return f"undefined variable `{plain.group(1)}`"
        return f"undefined variable: {message}"
    if isinstance(exc, jinja2.TemplateError):
        return f"template error: {exc.message}"
    return f"template error: {type(exc).__name__}: {exc}"


def assemble(
    root: Path | None = None, cwd: Path | None = None, names: list[str] | None = None
) -> tuple[Catalog, list[Rendered]]:
    """Load and render in one go, reporting load and template errors together.

    ``names`` limits rendering to some agents (by id, name or path). Raises
    :class:`CatalogError` with every problem from every file.
    """
    catalog, diagnostics = load_partial(root, cwd)
    if catalog is None:
        raise CatalogError(diagnostics)
    only = None
    if names:
        only = set()
        for key in names:
            agent = catalog.agent(key)
            if agent is not None:
                only.add(agent.id)
            elif not diagnostics:  # with other errors the agent may just have failed to load
                diagnostics.error("", 1, 1, f"unknown agent `{key}`",
                                  did_you_mean(key, [a.id for a in catalog.agents], "agents"))
    renderer = Renderer(catalog)
    rendered = renderer.render_all(only)
    diagnostics.extend(renderer.failures())
    if diagnostics:
        raise CatalogError(diagnostics)
    return catalog, rendered


def render_catalog(catalog: Catalog, only: set[str] | None = None) -> list[Rendered]:
    """Render every agent of a loaded catalog (or the ids in ``only``)."""
    renderer = Renderer(catalog)
    rendered = renderer.render_all(only)
    problems = renderer.failures()
    if problems:
        raise CatalogError(problems)
    return rendered
