"""From a loaded catalog to the bytes of every generated file, for every target.

Each agent is composed once (its blocks rendered once), then each enabled
target turns the composition into its file, and the banner, with the hash of
everything else, goes in. Large catalogs are rendered on every core (see
:mod:`assembler.parallel`), with the same bytes and the same error
messages in the same order as a serial render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

from .. import parallel
from ..compose.render import Renderer
from ..diagnostics import CatalogError, Diagnostics, did_you_mean
from ..sources.catalog import Agent, Catalog, load_partial
from ..targets import registry
from ..targets.base import Target
from .banner import LayoutError, stamp
from .files import Output, Rendered

R = TypeVar("R")


def outputs(catalog: Catalog, agent: Agent) -> list[Output]:
    """Every file ``agent`` renders to, one per enabled target."""
    settings = catalog.settings
    return [Output(agent, target, target.path(settings, agent))
            for target in registry.enabled(settings) if target.renders(agent)]


def all_outputs(catalog: Catalog) -> list[Output]:
    return [output for agent in catalog.agents for output in outputs(catalog, agent)]


def lookup(catalog: Catalog, key: str, cwd: Path | None = None) -> Output | None:
    """The generated file ``key`` names: an output or manifest path (relative to ``cwd``
    or to the root), an agent id or a name unique in the catalog. An agent named by
    id, name or manifest is taken in its first target."""
    found = _lookup_key(catalog, key)
    if found is not None:
        return found
    path = Path(key)
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    try:
        rel = path.resolve().relative_to(catalog.root).as_posix()
    except (ValueError, OSError):
        return None
    return _lookup_key(catalog, rel)


def _lookup_key(catalog: Catalog, key: str) -> Output | None:
    for output in all_outputs(catalog):
        if key == output.path:
            return output
    agent = catalog.agent(key)
    files = outputs(catalog, agent) if agent is not None else []
    if files or not catalog.skills:
        return files[0] if files else None
    from .skills import lookup_skill

    found = lookup_skill(catalog, key)  # a SKILL.md: its skill stands where an agent would
    return None if found is None else Output(found.skill, found.format, found.path)  # type: ignore[arg-type]


def render_agent(renderer: Renderer, agent: Agent) -> list[Rendered] | None:
    """Every file of one agent, or None when a template failed (recorded by the renderer)."""
    composition = renderer.compose(agent)
    if composition is None:
        return None
    settings = renderer.catalog.settings
    files = []
    for output in outputs(renderer.catalog, agent):
        target = output.target
        text = target.emit(composition, renderer)
        if text is None:
            return None
        try:
            text = stamp(text, agent.source, settings.config.regenerate, target.comment,
                         settings.config.banner, agent.manifest.name)
        except LayoutError as exc:
            path = (renderer.layout_source(target.layout, target.name).path if target.layout
                    else output.path)
            renderer.diagnostics.error(path, 1, 1, str(exc),
                                       "put `{{ banner }}` alone on the line after the frontmatter")
            return None
        files.append(Rendered(agent, output.path, text.encode("utf-8"), target.name))
    return files


def render_agents(renderer: Renderer, agents: list[Agent]) -> list[Rendered]:
    """The files of ``agents``, in order; an agent that fails is left out (and recorded)."""
    return [Rendered(agent, path, data, target)
            for agent, (path, data, target) in render_each(renderer, agents, _as_tuple)]


def _as_tuple(item: Rendered) -> tuple[str, bytes, str]:
    return item.path, item.data, item.target


def render_each(renderer: Renderer, agents: list[Agent],
                finish: Callable[[Rendered], R]) -> list[tuple[Agent, R]]:
    """``finish(file)`` for every file of ``agents``, in order, run where the file was rendered.

    ``finish`` turns each file into what the caller keeps (its result must be
    picklable): comparing a file with the disk there means the rendered bytes
    of a clean file never travel or pile up. An agent that fails is left out
    (and recorded). Only a plain :class:`Renderer` is forked: a subclass (the
    tracing renderer) keeps per-agent state that a child would lose.
    """
    for target in registry.enabled(renderer.catalog.settings):
        if target.layout:  # compiled before forking: once, and its errors once
            renderer.layout(target.layout, target.name)
    workers = parallel.worker_count(len(agents)) if type(renderer) is Renderer else 1

    def work(part: list[Agent]):
        files = [(index, finish(item))
                 for index, agent in enumerate(part)
                 for item in render_agent(renderer, agent) or ()]
        failed, renderer.failed = renderer.failed, {}
        diagnostics, renderer.diagnostics = list(renderer.diagnostics), Diagnostics()
        return files, failed, diagnostics

    size = -(-len(agents) // workers) if agents else 0
    results: list[tuple[Agent, R]] = []
    for number, (files, failed, diagnostics) in enumerate(parallel.fork_map(work, agents, workers)):
        part = agents[number * size:(number + 1) * size] if workers > 1 else agents
        results += [(part[index], kept) for index, kept in files]
        renderer.absorb(failed, diagnostics)
    return results


def check_targets(catalog: Catalog) -> Diagnostics:
    """What the enabled targets cannot carry: unknown targets, misspelt tool fields,
    tools or models a target has no word for, at the config or manifest line."""
    from ..targets import options

    from .skills import check_skill_targets

    diagnostics = Diagnostics()
    options.check_config(catalog.settings, registry.REGISTRY, diagnostics)
    if diagnostics:
        return diagnostics
    diagnostics.extend(check_skill_targets(catalog))
    for agent in catalog.agents:
        before = len(diagnostics)
        options.check_manifest(agent, registry.REGISTRY, diagnostics)
        if len(diagnostics) == before:
            for output in outputs(catalog, agent):
                output.target.check(catalog, agent, diagnostics)
    return diagnostics


def render_catalog(catalog: Catalog, only: set[str] | None = None) -> list[Rendered]:
    """Render every agent and skill of a loaded catalog (or only the agent ids in ``only``)."""
    from .skills import render_skills

    problems = check_targets(catalog)
    if problems:
        raise CatalogError(problems)
    renderer = Renderer(catalog)
    rendered = render_agents(renderer, [a for a in catalog.agents if only is None or a.id in only])
    if only is None:
        rendered += render_skills(renderer, catalog.skills)
    problems = renderer.failures()
    if problems:
        raise CatalogError(problems)
    return rendered


def prepare(root: Path | None = None, cwd: Path | None = None, names: list[str] | None = None
            ) -> tuple[Catalog, list[Agent], list, Diagnostics]:
    """Load a catalog and pick what to render: every agent and skill, or those ``names``
    name (by id, name or path). Returns the agents, the skills and the problems found
    so far; raises :class:`CatalogError` when nothing can be rendered at all."""
    from .skills import is_skill_file

    catalog, diagnostics = load_partial(root, cwd)
    if catalog is None:
        raise CatalogError(diagnostics)
    diagnostics.extend(check_targets(catalog))
    if diagnostics and not catalog.agents and not catalog.skills:
        raise CatalogError(diagnostics)
    only = skills_only = None
    if names:
        only, skills_only = set(), set()
        for key in names:
            found = lookup(catalog, key, cwd)
            if found is not None:
                (skills_only if is_skill_file(found) else only).add(found.agent.id)
            elif not diagnostics:  # with other errors the agent may just have failed to load
                known = [a.id for a in catalog.agents] + [s.id for s in catalog.skills]
                what = "agent or skill" if catalog.skills else "agent"
                diagnostics.error("", 1, 1, f"unknown {what} `{key}`",
                                  did_you_mean(key, known, what.replace(" or ", "s and ") + "s"))
    return (catalog, [a for a in catalog.agents if only is None or a.id in only],
            [s for s in catalog.skills if skills_only is None or s.id in skills_only], diagnostics)


def assemble(
    root: Path | None = None, cwd: Path | None = None, names: list[str] | None = None
) -> tuple[Catalog, list[Rendered]]:
    """Load and render in one go, reporting load and template errors together.

    ``names`` limits rendering to some agents or skills (by id, name or path). Raises
    :class:`CatalogError` with every problem from every file. Skills come after the
    agents, each ``SKILL.md`` followed by the files copied beside it.
    """
    from .skills import render_skills

    catalog, agents, skills, diagnostics = prepare(root, cwd, names)
    renderer = Renderer(catalog)
    rendered = render_agents(renderer, agents)
    rendered += render_skills(renderer, skills)
    diagnostics.extend(renderer.failures())
    if diagnostics:
        raise CatalogError(diagnostics)
    return catalog, rendered
