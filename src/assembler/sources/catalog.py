"""Loading a whole catalog: config, blocks, roles and manifests, cross-checked.

:func:`load_catalog` is the one entry point. It reads every file once, records
every problem it finds, and only returns a :class:`Catalog` when there is none.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Callable

from .blocks import (
    Block, BlockLibrary, ResolvedRole, discover, load_blocks, load_roles, name_problem,
)
from .capabilities import load_capabilities
from .config import Settings, load_settings
from .. import parallel
from ..diagnostics import CatalogError, Diagnostic, Diagnostics, did_you_mean
from .fidelity import TEXT_PREFIX, check_fidelity
from .roleformat import FORMATS
from .extrakeys import without_extra
from .schema import (
    MAX_NAME_LENGTH, SLUG, Handoff, Manifest, report_validation_errors, validate,
)
from .skills import Skill, load_skills
from .toml import TomlDocument, load_toml, read_text


@dataclass(frozen=True)
class Agent:
    """One manifest and everything resolved for it."""

    id: str  # path under the manifests folder without `.toml`, e.g. "ml/trainer"
    manifest: Manifest
    source: str  # the manifest file, relative to the root
    role: ResolvedRole | None
    document: TomlDocument

    @property
    def output_id(self) -> str:
        """The output files' path under each target's folder, without the suffix: the id,
        or its folder and the manifest's ``filename`` (an adopted file with another name)."""
        filename = self.manifest.filename
        if filename is None:
            return self.id
        folder = self.id.rpartition("/")[0]
        return f"{folder}/{filename}" if folder else filename

    @property
    def all_blocks(self) -> tuple[str, ...]:
        """Every block the agent renders: its role's, then its own."""
        return (self.role.blocks if self.role else ()) + tuple(
            name for name in (*self.manifest.blocks, *self.manifest.footer)
            if not name.startswith(TEXT_PREFIX))


@dataclass(frozen=True)
class Catalog:
    """A validated catalog, ready to render."""

    settings: Settings
    blocks: dict[str, Block]
    roles: dict[str, ResolvedRole]
    agents: tuple[Agent, ...]
    skills: tuple[Skill, ...] = ()  # `_skills/<name>/skill.toml`, sorted by name

    @property
    def root(self) -> Path:
        return self.settings.root

    def agent(self, key: str) -> Agent | None:
        """Find an agent by id (``ml/trainer``), manifest path, or a name unique in the catalog.

        Generated files are looked up with :func:`assembler.outputs.render.lookup`,
        which knows where each target writes.
        """
        for agent in self.agents:
            if key in (agent.id, agent.source):
                return agent
        named = [agent for agent in self.agents if agent.manifest.name == key]
        return named[0] if len(named) == 1 else None


def load_catalog(root: Path | None = None, cwd: Path | None = None) -> Catalog:
    """Load and validate everything under the catalog root.

    Raises :class:`CatalogError` carrying every problem found in every file.
    """
    catalog, diagnostics = load_partial(root, cwd)
    if diagnostics or catalog is None:
        raise CatalogError(diagnostics)
    return catalog


def load_partial(
    root: Path | None = None, cwd: Path | None = None
) -> tuple[Catalog | None, Diagnostics]:
    """Load what is valid and report the rest.

    The catalog holds only the agents whose own manifest is valid, so callers
    can go on to render them and report template errors in the same run.
    """
    diagnostics = Diagnostics()
    settings = load_settings(root, cwd or Path.cwd(), diagnostics)
    if settings is None:
        return None, diagnostics
    root = settings.root
    config = settings.config
    library = load_blocks(settings.folder("blocks"), root, diagnostics,
                          verbatim=config.block_syntax == "verbatim")
    if config.capabilities is not None:
        load_capabilities(settings.folder("capabilities"), root, library, diagnostics)
    roles, broken_roles = load_roles(settings.folder("roles"), root, library, diagnostics,
                                     FORMATS[config.role_format])
    _check_required_blocks_exist(settings, library, diagnostics)
    agents = _load_agents(settings, library, roles, broken_roles, diagnostics)
    skills = load_skills(settings.folder("skills"), root, library, diagnostics)
    return Catalog(settings, library.blocks, roles, tuple(agents), skills), diagnostics


def _check_required_blocks_exist(
    settings: Settings, library: BlockLibrary, diagnostics: Diagnostics
) -> None:
    if settings.document is None:
        return
    for index, name in enumerate(settings.config.required_blocks):
        library.check(name, settings.document, ("required_blocks", index), diagnostics)


def _load_agents(
    settings: Settings,
    library: BlockLibrary,
    roles: dict[str, ResolvedRole],
    broken_roles: set[str],
    diagnostics: Diagnostics,
) -> list[Agent]:
    root = settings.root
    folder = settings.folder("manifests")
    if not folder.is_dir() and settings.folder("skills").is_dir():
        return []  # a catalog of skills only
    if not folder.is_dir():
        rel = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
        diagnostics.error(
            rel, 1, 1, f"manifests folder `{rel}/` does not exist",
            "create it with one <agent>.toml per agent, or set `manifests` in the config",
        )
        return []
    agents: list[Agent] = []
    invalid: list[Agent] = []  # checked for what their valid keys say, never rendered
    found = discover(folder, ".toml", root, diagnostics)
    load = partial(_load_manifest, settings=settings, library=library, roles=roles,
                   broken_roles=broken_roles)
    for agent, valid, problems in _each_manifest(load, list(found.items()), roles):
        diagnostics.extend(problems)
        if agent is not None:
            (agents if valid else invalid).append(agent)
    _check_handoffs([*agents, *invalid], list(found), diagnostics,
                    set(settings.config.external_agents))
    _check_output_names(agents, diagnostics)
    return agents


Loaded = tuple[Agent | None, bool, list[Diagnostic]]


def _each_manifest(load: Callable[[str, Path, Diagnostics], tuple[Agent | None, bool]],
                   found: list[tuple[str, Path]], roles: dict[str, ResolvedRole]) -> list[Loaded]:
    """``(agent, valid, problems)`` for each manifest, in order, loaded on every core for a
    large catalog: parsing the TOML is most of a load, and each manifest is checked on its
    own. A forked process sends its agents back without their role (the roles are loaded
    here already), and they get it back here."""
    parent = os.getpid()

    def work(part: list[tuple[str, Path]]) -> list[Loaded]:
        out = []
        for agent_id, path in part:
            problems = Diagnostics()
            agent, valid = load(agent_id, path, problems)
            if agent is not None and agent.role is not None and os.getpid() != parent:
                agent = replace(agent, role=None)
            out.append((agent, valid, list(problems)))
        return out

    loaded = [item for part in parallel.fork_map(work, found, parallel.worker_count(len(found)))
              for item in part]
    return [(replace(agent, role=roles[agent.manifest.substrate_role])
             if agent is not None and agent.role is None and agent.manifest.substrate_role in roles
             else agent, valid, problems) for agent, valid, problems in loaded]


def _load_manifest(agent_id: str, path: Path, diagnostics: Diagnostics, *, settings: Settings,
                   library: BlockLibrary, roles: dict[str, ResolvedRole],
                   broken_roles: set[str]) -> tuple[Agent | None, bool]:
    """One manifest, checked on its own: ``(agent, True)`` when it can be rendered,
    ``(agent, False)`` when it broke the schema but its valid keys still say something
    worth checking (its handoffs), ``(None, False)`` when nothing of it can be used."""
    rel = path.relative_to(settings.root).as_posix()
    document = load_toml(path, rel, diagnostics)
    if document is None:
        return None, False
    data = _with_pinned_fields(without_extra(document.data, settings.config.extra_keys))
    manifest, errors = validate(Manifest, data)
    if errors:
        report_validation_errors(errors, document, diagnostics, model=Manifest,
                                 declared=_declared(settings))
        manifest, skipped = _without_invalid_keys(data, errors)
        if manifest is None:
            return None, False
        role = _check_manifest(manifest, agent_id, document, settings, library, roles,
                               broken_roles, diagnostics, skipped)
        return Agent(agent_id, manifest, rel, role, document), False
    assert manifest is not None
    if manifest.body_file is not None or manifest.text_file is not None:
        manifest = _with_markdown(manifest, path, settings.root, document, diagnostics)
        if manifest is None:
            return None, False
    role = _check_manifest(manifest, agent_id, document, settings, library, roles,
                           broken_roles, diagnostics)
    valid = not diagnostics and (role is not None or manifest.substrate_role is None)
    return Agent(agent_id, manifest, rel, role, document), valid


def _declared(settings: Settings) -> dict:
    declared = settings.config.extra_keys
    return {Manifest: declared.manifest, Handoff: declared.handoff}


_PLACEHOLDERS = {"name": "-", "description": "-"}  # required keys, when missing or invalid


def _without_invalid_keys(data: dict, errors: list[dict]) -> tuple[Manifest | None, frozenset[str]]:
    """The manifest made of the keys that passed the schema, and the keys left out, so
    that one run reports the other problems of a manifest with a schema error too."""
    skipped = frozenset(str(error["loc"][0]) for error in errors if error["loc"])
    kept = {key: value for key, value in data.items() if key not in skipped}
    for key, placeholder in _PLACEHOLDERS.items():
        if key in skipped or key not in kept:
            kept[key] = placeholder
            skipped |= {key}
    manifest, problems = validate(Manifest, kept)
    return (None, skipped) if problems else (manifest, skipped)


def _check_output_names(agents: list[Agent], diagnostics: Diagnostics) -> None:
    """Two manifests must not render to the same file (a ``filename`` equal to another's)."""
    seen: dict[str, Agent] = {}
    for agent in agents:
        other = seen.setdefault(agent.output_id, agent)
        if other is not agent:
            culprit = agent if agent.manifest.filename is not None else other
            diagnostics.error(
                culprit.source, *culprit.document.locate(("filename",), value=True),
                f"`{culprit.id}` and `{(other if culprit is agent else agent).id}` render to the "
                f"same file `{agent.output_id}`", "give one of them another `filename`")


def _check_manifest(
    manifest: Manifest,
    agent_id: str,
    document: TomlDocument,
    settings: Settings,
    library: BlockLibrary,
    roles: dict[str, ResolvedRole],
    broken_roles: set[str],
    diagnostics: Diagnostics,
    skipped: frozenset[str] | None = None,
) -> ResolvedRole | None:
    """Per-manifest rules that a schema alone cannot express.

    ``skipped`` names the keys of a manifest that failed the schema (and are left out
    of ``manifest``): then only what the other keys say is checked, not what is missing.
    """
    path = document.path
    stem = agent_id.rsplit("/", 1)[-1]
    # Positions cost a scan of the file: compute them only for an error.
    name_at = partial(document.locate, ("name",), value=True)
    named = skipped is None or "name" not in skipped
    if named and (not SLUG.match(manifest.name) or len(manifest.name) > MAX_NAME_LENGTH):
        diagnostics.error(
            path, *name_at(), f"`name` {manifest.name!r} is not a slug",
            f"use lowercase letters, digits and single hyphens, at most {MAX_NAME_LENGTH} "
            "characters (e.g. `gpu-job-runner`)",
        )
    elif named and manifest.name != stem:
        diagnostics.error(
            path, *name_at(), f"`name` {manifest.name!r} does not match the file name `{stem}.toml`",
            f"set `name = \"{stem}\"` or rename the file to `{manifest.name}.toml`",
        )
    if manifest.filename is not None and _bad_filename(manifest.filename):
        diagnostics.error(
            path, *document.locate(("filename",), value=True),
            f"`filename` {manifest.filename!r} cannot name a file",
            "a file name without folders, suffix or control characters, not starting with `.`")
    if not manifest.description.strip() and not (skipped and "description" in skipped):
        diagnostics.error(path, *document.locate(("description",)), "`description` is empty",
                          "describe in one paragraph what the agent does and when to use it")
    for field in settings.config.required_fields if skipped is None else ():
        if not getattr(manifest, field):
            diagnostics.error(
                path, *(document.locate((field,)) if field in document.data else (1, 1)),
                f"`{field}` is required by the catalog config but is empty or missing",
                f"add `{field}` to this manifest, or remove it from `required_fields`",
            )
    blocks_known = all([
        library.check(block, document, (field, index), diagnostics)
        for field in ("blocks", "footer")
        for index, block in enumerate(getattr(manifest, field))
        if not block.startswith(TEXT_PREFIX)
    ])
    if skipped is None:
        check_fidelity(manifest, document, diagnostics)

    role = None
    role_at = partial(document.locate, ("substrate_role",), value=True)
    if manifest.substrate_role is not None:
        role = roles.get(manifest.substrate_role)
        problem = name_problem(manifest.substrate_role, settings.config.roles)
        if problem:
            diagnostics.error(
                path, *role_at(), f"role name `{manifest.substrate_role}` {problem}",
                f"name a role by its path under {settings.config.roles}/, without `.toml`",
            )
        elif role is None and manifest.substrate_role not in broken_roles:
            diagnostics.error(
                path, *role_at(),
                f"unknown role `{manifest.substrate_role}` "
                f"(no {settings.config.roles}/{manifest.substrate_role}.toml)",
                did_you_mean(manifest.substrate_role, roles, "roles"),
            )
    included = set(manifest.blocks) | set(manifest.footer) | set(role.blocks if role else ())
    # Without the role's blocks (a broken or unknown role), or with keys left out, what is
    # missing cannot be told.
    complete = (blocks_known and skipped is None
                and (role is not None or manifest.substrate_role is None))
    for required in settings.config.required_blocks if complete else ():
        if required not in included and required in library.blocks:
            diagnostics.error(
                path, *(document.locate(("blocks",)) if "blocks" in document.data else (1, 1)),
                f"required block `{required}` is not included",
                f"add \"{required}\" to `blocks` (the catalog config requires it in every agent)",
            )
    return role


def _with_pinned_fields(data: dict) -> dict:
    """A manifest may leave `description`, `tools` and `model` out when `[frontmatter]`
    pins them (an adopted file keeps its own YAML): each is then what that YAML says,
    `tools` split at commas when it is one string."""
    pinned = data.get("frontmatter")
    missing = [key for key in ("description", "tools", "model")
               if key not in data and isinstance(pinned, dict) and isinstance(pinned.get(key), str)]
    if not missing:
        return data
    import yaml

    from .fidelity import frontmatter_entry
    from .yaml import load_yaml

    out = dict(data)
    for key in missing:
        try:
            value = load_yaml(frontmatter_entry(key, pinned[key]), core=True)
        except yaml.YAMLError:
            continue  # reported as missing or wrong; the [frontmatter] check says why
        value = value.get(key) if isinstance(value, dict) else None
        if key == "tools" and isinstance(value, str):
            value = [tool.strip() for tool in value.split(",") if tool.strip()]
        if key == "tools" and value is None:
            continue
        if value is not None:
            out[key] = value
    return out


def _with_markdown(manifest: Manifest, path: Path, root: Path, document: TomlDocument,
                   diagnostics: Diagnostics) -> Manifest | None:
    """The manifest with ``body`` or ``[text]`` read from its Markdown file beside it."""
    update: dict[str, object] = {}
    for key in ("body_file", "text_file"):
        name = getattr(manifest, key)
        if name is None:
            continue
        file = (path.parent / name)
        if _bad_reference(name) or not file.is_file():
            diagnostics.error(document.path, *document.locate((key,), value=True),
                              f"`{key}` names `{name}`, which is not a file beside the manifest",
                              "name a Markdown file in the manifest's folder, e.g. "
                              f"\"{path.stem}.md\"")
            return None
        rel = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
        if not file.resolve().is_relative_to(root.resolve()):
            diagnostics.error(document.path, *document.locate((key,), value=True),
                              f"`{key}` names `{name}`, a symbolic link to a file outside "
                              "the catalog", "copy the file into the catalog, or remove the link")
            return None
        text = read_text(file, rel, diagnostics)
        if text is None:
            return None
        field = "body" if key == "body_file" else "text"
        if getattr(manifest, field):
            diagnostics.error(document.path, *document.locate((field,)),
                              f"`{field}` is given twice: here and in `{name}` (`{key}`)",
                              "keep one of them")
            return None
        if key == "body_file":
            update["body"] = text
        else:
            pieces = split_texts(text, rel, diagnostics)
            if pieces is None:
                return None
            update["text"] = pieces
    return manifest.model_copy(update=update)


TEXT_MARKER = re.compile(r"^<!-- @(?P<key>[A-Za-z0-9_-]+) -->$")


def split_texts(text: str, rel: str, diagnostics: Diagnostics) -> dict[str, str] | None:
    """The ``[text]`` pieces of a text file: each starts after a ``<!-- @key -->`` line and
    ends before the next one, without the line break that ends it."""
    pieces: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        match = TEXT_MARKER.match(line.rstrip("\r\n"))
        if match:
            if match["key"] in pieces:
                diagnostics.error(rel, number, 1, f"text `{match['key']}` appears twice",
                                  "give each piece its own key")
                return None
            current = pieces.setdefault(match["key"], [])
        elif current is None:
            diagnostics.error(rel, number, 1, "text before the first `<!-- @key -->` line",
                              "start the file with a `<!-- @key -->` line naming the piece")
            return None
        else:
            current.append(line)
    out = {}
    for key, lines in pieces.items():
        piece = "".join(lines)
        out[key] = piece[:-1] if piece.endswith("\n") else piece
    return out


def _bad_reference(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return not name or name.startswith("/") or ".." in parts or "" in parts


def _bad_filename(name: str) -> bool:
    return (not name.strip() or name.startswith(".") or any(c in name for c in "/\\:")
            or any(ord(c) < 32 or ord(c) == 127 for c in name) or len(name.encode()) > 200)


def _check_handoffs(agents: list[Agent], all_ids: list[str], diagnostics: Diagnostics,
                    external: set[str] = frozenset()) -> None:
    """Every handoff target must name exactly one manifest, or an agent the config's
    ``external_agents`` says is defined elsewhere.

    Targets are matched against every manifest file, including those that
    failed to load: their own errors are reported once, at their own file.
    """
    ids = set(all_ids)
    by_name: dict[str, list[str]] = {}
    for agent_id in all_ids:
        by_name.setdefault(agent_id.rsplit("/", 1)[-1], []).append(agent_id)
    for agent in agents:
        for index, handoff in enumerate(agent.manifest.handoff):
            target = handoff.target
            at = partial(agent.document.locate, ("handoff", index, "target"), value=True)
            if target in external:
                continue
            if "/" in target:
                if target not in ids:
                    diagnostics.error(
                        agent.source, *at(), f"handoff to `{target}`, which has no manifest",
                        did_you_mean(target, ids, "agents"),
                    )
                continue
            matches = by_name.get(target, [])
            if not matches:
                diagnostics.error(
                    agent.source, *at(), f"handoff to `{target}`, which has no manifest",
                    did_you_mean(target, [*by_name, *external], "agents"),
                )
            elif len(matches) > 1:
                diagnostics.error(
                    agent.source, *at(),
                    f"handoff target `{target}` is ambiguous: "
                    + ", ".join(f"`{m}`" for m in sorted(matches)),
                    "write the target as its path under the manifests folder: "
                    + " or ".join(f"`{m}`" for m in sorted(matches)),
                )
