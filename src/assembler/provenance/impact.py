"""Impact: which agents a block or role reaches, and which agents a set of
changed files (from git) has to rebuild.

The git question is asked with ``git diff --name-only`` plus the untracked
files, so a block created but not yet added still counts as changed.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field

from ..sources.catalog import Agent, Catalog
from ..sources.roleformat import capability_named
from ..sources.skills import Skill
from ..diagnostics import did_you_mean
from ..present import plural


@dataclass(frozen=True)
class Use:
    """One agent that renders a block or a role, and how it gets it."""

    agent: Agent
    direct: bool
    through: tuple[str, ...] = ()  # the role chain that brings it in, nearest first


@dataclass
class Uses:
    """Everything named ``name``: the block and/or the role, and who uses them."""

    name: str
    block: list[Use] | None = None  # None: no block of that name
    role: list[Use] | None = None
    skills: list[Skill] = field(default_factory=list)  # the skills whose `blocks` list the block

    @property
    def found(self) -> bool:
        return self.block is not None or self.role is not None


def role_chain(catalog: Catalog, agent: Agent) -> tuple[str, ...]:
    """The agent's role and its ancestors, nearest first."""
    chain: list[str] = []
    role = agent.role
    while role is not None and role.name not in chain:
        chain.append(role.name)
        role = catalog.roles.get(role.role.extends) if role.role.extends else None
    return tuple(chain)


def _block_source(catalog: Catalog, agent: Agent, block: str) -> tuple[str, ...]:
    """The role chain from the agent's role up to the role that lists ``block``."""
    chain = role_chain(catalog, agent)
    for index, name in enumerate(chain):
        if block in catalog.roles[name].role.blocks:
            return chain[:index + 1]
    return chain[:1]


def normalise(catalog: Catalog, name: str) -> str:
    """Accept `_blocks/x.md` and `_roles/x.toml` as well as plain names."""
    config = catalog.settings.config
    for folder, suffix in ((config.blocks, ".md"), (config.roles, ".toml")):
        if name.startswith(folder + "/") and name.endswith(suffix):
            return name[len(folder) + 1:-len(suffix)]
    return capability_named(name, config.capabilities) or name


def uses(catalog: Catalog, name: str) -> Uses:
    name = normalise(catalog, name)
    result = Uses(name)
    if name in catalog.blocks:
        result.block = []
        for agent in catalog.agents:
            if name in agent.manifest.blocks:
                result.block.append(Use(agent, True))
            elif agent.role is not None and name in agent.role.blocks:
                result.block.append(Use(agent, False, _block_source(catalog, agent, name)))
        result.skills = [skill for skill in catalog.skills if name in skill.all_blocks]
    if name in catalog.roles:
        result.role = []
        for agent in catalog.agents:
            chain = role_chain(catalog, agent)
            if name in chain:
                through = chain[:chain.index(name)]
                result.role.append(Use(agent, not through, through))
    return result


def suggestion(catalog: Catalog, name: str) -> str | None:
    return did_you_mean(name, [*catalog.blocks, *catalog.roles], "blocks and roles")


def uses_text(result: Uses) -> str:
    lines = []
    for kind, found in (("block", result.block), ("role", result.role)):
        if found is None:
            continue
        skills = result.skills if kind == "block" else []
        users = plural(len(found), "agent") + (f" and {plural(len(skills), 'skill')}"
                                                if skills else "")
        lines.append(f"{kind} `{result.name}` is used by {users}" + (":" if found or skills else "."))
        width = max((len(use.agent.id) for use in found), default=0)
        for use in found:
            if use.direct:
                how = "directly (`blocks`)" if kind == "block" else "directly (`substrate_role`)"
            elif kind == "block":
                how = "through role " + " → ".join(f"`{r}`" for r in use.through)
            else:
                how = "through role " + " → ".join(f"`{r}`" for r in use.through) + \
                      f", which extends `{result.name}`"
            lines.append(f"  {use.agent.id:<{width}}  {how}")
        for skill in skills:
            lines.append(f"  skill {skill.id}  directly (`blocks`)")
    return "\n".join(lines) + "\n"


def uses_json(catalog: Catalog, result: Uses) -> dict:
    from ..outputs.render import outputs

    def rows(found: list[Use] | None):
        if found is None:
            return None
        # An agent every target is switched off for renders to no file: its output is null.
        return [{"agent": u.agent.id,
                 "output": next((o.path for o in outputs(catalog, u.agent)), None),
                 "direct": u.direct, "through": list(u.through)} for u in found]
    from ..outputs.skills import skill_outputs

    skills = [{"skill": skill.id, "output": next((o.path for o in skill_outputs(catalog, skill)), None)}
              for skill in result.skills]
    return {"name": result.name, "block": rows(result.block), "role": rows(result.role),
            "skills": skills}


# -- changed since a git revision -------------------------------------------------------------
class GitError(RuntimeError):
    """git is missing, the folder is not a repository, or the revision is unknown."""


def _git(args: list[str], cwd) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if done.returncode != 0:
        raise GitError(done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                       else f"git {' '.join(args)} failed")
    return done.stdout


def changed_files(catalog: Catalog, revision: str) -> list[str]:
    """Files under the root changed since ``revision`` (tracked or new), relative to the root."""
    root = catalog.root
    if revision.startswith("-") or not revision.strip():
        # git would take it for an option (`--output=FILE` writes a file)
        raise GitError("a revision cannot be empty or start with `-`")
    diff = _git(["diff", "--name-only", "--no-renames", "--relative", revision, "--", "."], root)
    new = _git(["ls-files", "--others", "--exclude-standard", "--", "."], root)
    return sorted({line for line in (diff + new).splitlines() if line})


@dataclass
class Rebuild:
    """Which agents changed files call for, and why."""

    files: list[str]
    everything: bool = False  # the config or a layout changed
    reasons: dict[str, list[str]] = field(default_factory=dict)  # agent id → files
    removed_manifests: list[str] = field(default_factory=list)

    @property
    def agents(self) -> list[str]:
        return sorted(self.reasons)


def affected(catalog: Catalog, files: list[str]) -> Rebuild:
    """Map changed files to the agents whose output they can change."""
    settings = catalog.settings
    config = settings.config
    result = Rebuild(files)
    config_file = settings.document.path if settings.document else None
    ids = {agent.id for agent in catalog.agents}

    def add(agent_ids, path):
        for agent_id in agent_ids:
            result.reasons.setdefault(agent_id, []).append(path)

    for path in files:
        if path == config_file or path.startswith(config.templates + "/"):
            result.everything = True
            add(ids | {skill.id for skill in catalog.skills}, path)
        elif path.startswith(config.manifests + "/") and path.endswith(".toml"):
            agent_id = path[len(config.manifests) + 1:-5]
            if agent_id in ids:
                add([agent_id], path)
            else:
                result.removed_manifests.append(path)
        elif path.startswith(config.blocks + "/") and path.endswith(".md"):
            used = uses(catalog, path[len(config.blocks) + 1:-3])
            add([use.agent.id for use in used.block or []] + [s.id for s in used.skills], path)
        elif capability_named(path, config.capabilities) is not None:
            found = uses(catalog, path).block or []
            add([use.agent.id for use in found], path)
        elif path.startswith(config.skills + "/"):
            skill_id = path[len(config.skills) + 1:].split("/", 1)[0]
            add([skill_id] if any(s.id == skill_id for s in catalog.skills) else [], path)
        elif path.startswith(config.roles + "/") and path.endswith(".toml"):
            name = path[len(config.roles) + 1:-5]
            found = uses(catalog, name).role if name in catalog.roles else []
            add([use.agent.id for use in found or []], path)
    return result
