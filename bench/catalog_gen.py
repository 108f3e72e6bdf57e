"""Synthetic catalogs for the benchmark: any number of agents, realistic shape.

A generated catalog looks like a real one scaled up: twelve shared blocks (some
static, most using variables, conditions, loops and filters), two roles where
one extends the other and relaxes a block, and one manifest per agent with a
role text, scope lists, handoffs to other agents and per-agent variables. Each
rendered agent file is about 15 KB. The output is a pure function of the agent
count and the seed, so every run measures the same bytes.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "agent", "baseline", "batch", "branch", "budget", "cache", "caller", "change", "check",
    "checkpoint", "claim", "commit", "config", "cost", "dataset", "decision", "diff", "estimate",
    "evidence", "failure", "field", "file", "finding", "grade", "handoff", "index", "input",
    "job", "launch", "log", "memory", "metric", "model", "note", "number", "output", "owner",
    "plan", "query", "rate", "record", "report", "result", "review", "risk", "run", "schema",
    "scope", "script", "seed", "source", "stage", "status", "step", "summary", "table", "task",
    "test", "trace", "update", "value", "variant", "version", "worker", "workflow",
)
VERBS = (
    "check", "record", "compare", "confirm", "list", "measure", "name", "quote", "read",
    "repeat", "report", "review", "state", "trace", "verify", "write",
)
TOOLSETS = (
    ["Read", "Grep", "Glob"],
    ["Read", "Grep", "Glob", "Bash"],
    ["Read", "Grep", "Glob", "Bash", "Edit", "Write"],
)
MODELS = ("sonnet", "opus", "haiku", None)
TEAMS = ("data", "infra", "ml", "platform", "research", "review")

CONFIG = """\
# Synthetic catalog generated for benchmarks.
output = "agents"
regenerate = "make agents"
required_blocks = ["baseline", "status-truth"]
required_fields = ["role", "domain_in", "forbidden_domain"]

[vars]
memory_dir = "notes/memory"
memory_topic = "general"
decisions_file = "docs/decisions.md"
test_command = "make test"
auto_launch_usd = 3
approval_usd = 25
daily_cap_usd = 40
grades = ["G1", "G2", "G3", "G4", "G5"]

[layout]
report_fields = [
  "Goal: <one line>",
  "Scope: <in scope / handed off>",
  "Plan: <numbered steps, or \\"single step\\">",
  "Done: <files touched or commands run>",
  "Checks: <each done-criterion: pass | fail | not run>",
  "Evidence: <grade for each claim a decision rests on>",
  "Handed off: <agent, reason, or none>",
]
report_closing_fields = ["Blockers / next: <list, or none>"]
references = [
  "`docs/agents.md`: how this catalog is organised",
  "`notes/memory/INDEX.md`: index of project memory files",
]
"""

READ_ONLY_ROLE = """\
description = "Inspect and report; change nothing."
preamble = "> These rules are checked on every report before it is accepted."
blocks = ["policy/no-git-ops", "policy/read-only", "policy/report-format"]
"""

EDIT_ROLE = """\
description = "Edit files inside an assigned scope, with tests green."
preamble = "> The returned diff is checked against these rules as a whole."
extends = "read-only"
relaxes = ["policy/read-only"]
blocks = ["policy/scope-whitelist", "policy/tests-must-pass"]
"""

# Jinja2 parts of the blocks; prose paragraphs are generated around them.
BLOCK_TEMPLATES: dict[str, tuple[str, str]] = {
    "baseline": ("body", """\
{% if role %}
The rules of role `{{ role }}` above are checked first; where they are stricter, they win.
{% endif %}
{% if agent.model == "haiku" %}
You run on a small model: keep each step narrow and hand off long reasoning.
{% endif %}
"""),
    "evidence-grading": ("body", """\
| Grade | Meaning |
|-------|---------|
{% for grade in vars.grades %}
| {{ grade }} | evidence of kind {{ loop.index }} of {{ loop.length }} |
{% endfor %}
"""),
    "memory-protocol": ("body", """\
Project memory lives in `{{ vars.memory_dir }}/`; start with `{{ vars.memory_dir }}/INDEX.md`.
{% if "Write" in agent.tools or "Edit" in agent.tools %}
Append your entry to `{{ vars.memory_dir }}/{{ vars.memory_topic }}.md` yourself.
{% else %}
Put your entry under `Memory entry:` in the report; the caller files it in `{{ vars.memory_topic }}.md`.
{% endif %}
"""),
    "status-truth": ("body", """\
{% set verbs = ["done", "partial", "blocked"] %}
Every status line uses one of: {{ verbs | join(", ") }}.
{% if agent.handoffs %}
Before handing off to {{ agent.handoffs | map("tojson") | join(", ") }}, state which checks ran.
{% endif %}
"""),
    "escalation": ("body", """\
{% macro ask(who, when) -%}
- Ask **{{ who }}** when {{ when }}.
{%- endmacro %}
{{ ask("the caller", "the scope is unclear") }}
{{ ask("the owner of " ~ vars.memory_topic, "a recorded decision looks wrong") }}
{% for target in agent.handoffs[:3] %}
{{ ask(target, "work falls in its domain") }}
{% endfor %}
"""),
    "compute-budget": ("body", """\
| Estimate | Tier |
|----------|------|
| under ${{ vars.auto_launch_usd }} | go |
| ${{ vars.auto_launch_usd }} to ${{ vars.approval_usd }} | warn (daily cap ${{ vars.daily_cap_usd }}) |
| over ${{ vars.approval_usd }} | hold |
"""),
    "metric-sanity": ("body", ""),  # static: no Jinja2 at all
    "release-notes": ("footer", """\
<!-- {{ agent.name | upper }} · {{ agent.tools | length }} tools · model {{ agent.model or "default" }} -->
"""),
    "policy/no-git-ops": ("body", ""),
    "policy/read-only": ("body", """\
Allowed commands for `{{ agent.name }}`: {{ agent.tools | sort | join(", ") }}.
"""),
    "policy/report-format": ("body", """\
Run `{{ vars.test_command }}` before the report when you changed anything.
"""),
    "policy/scope-whitelist": ("body", "Edits stay inside the scope `{{ agent.id }}` was given.\n"),
    "policy/tests-must-pass": ("body", "`{{ vars.test_command }}` must be green before you return.\n"),
}
BODY_BLOCKS = ("evidence-grading", "memory-protocol", "compute-budget", "escalation",
               "metric-sanity", "release-notes")
STALE_TEXT = "\nThis line was added to make one agent stale.\n"


def _sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(WORDS) for _ in range(words)]
    return f"{rng.choice(VERBS).capitalize()} the {' '.join(picked)}."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(6, 12)) for _ in range(sentences))


def _block_text(name: str, rng: random.Random) -> str:
    placement, template = BLOCK_TEMPLATES[name]
    title = name.rsplit("/", 1)[-1].replace("-", " ").upper()
    header = f"---\ndescription: {_sentence(rng, 5)}\n"
    header += "placement: footer\n---\n" if placement == "footer" else "---\n"
    if placement == "footer":
        return header + template
    bullets = "\n".join(f"- **{_sentence(rng, 3)}** {_paragraph(rng, 2)}" for _ in range(4))
    return (f"{header}# {title}\n\n{_paragraph(rng, 4)}\n\n{bullets}\n\n{template}\n"
            f"{_paragraph(rng, 2)}\n")


def _toml_list(items: list[str]) -> str:
    return "[\n" + "".join(f'  "{item}",\n' for item in items) + "]"


def agent_name(index: int) -> str:
    return f"agent-{index:05d}"


def agent_id(index: int) -> str:
    """Agents live in one folder per team, as larger catalogs tend to."""
    return f"{TEAMS[index % len(TEAMS)]}/{agent_name(index)}"


def _manifest(index: int, count: int, rng: random.Random) -> str:
    name = agent_name(index)
    tools = TOOLSETS[index % len(TOOLSETS)]
    model = MODELS[index % len(MODELS)]
    role = "edit-local" if "Edit" in tools else "read-only"
    blocks = ["baseline", *rng.sample(BODY_BLOCKS, 4), "status-truth"]
    handoffs = sorted({rng.randrange(count) for _ in range(3)} - {index}) if count > 1 else []
    lines = [
        f'name = "{name}"',
        f'description = "{_paragraph(rng, 3)}"',
        f"tools = {_toml_list(tools)}",
        *([f'model = "{model}"'] if model else []),
        f'substrate_role = "{role}"',
        'role = """\n' + "\n\n".join(_paragraph(rng, 5) for _ in range(3)) + '\n"""',
        f"blocks = {_toml_list(blocks)}",
        f"domain_in = {_toml_list([_sentence(rng, 12) for _ in range(6)])}",
        f"forbidden_domain = {_toml_list([_sentence(rng, 10) for _ in range(7)])}",
        "output_extra_fields = " + _toml_list(
            [f"{w.capitalize()}: <{_sentence(rng, 4)}>" for w in rng.sample(WORDS, 3)]),
    ]
    for target in handoffs:
        lines += ["", "[[handoff]]", f'target = "{agent_name(target)}"',
                  f'trigger = "{_paragraph(rng, 1)}"']
    lines += ["", "[references]", f"extra = {_toml_list([f'docs/{w}.md' for w in rng.sample(WORDS, 2)])}",
              "", "[vars]", f'memory_topic = "{TEAMS[index % len(TEAMS)]}"']
    return "\n".join(lines) + "\n"


def generate(root: Path, agents: int, seed: int = 0) -> Path:
    """Write a catalog with ``agents`` manifests under ``root`` (no outputs)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "assembler.toml").write_text(CONFIG, "utf-8")
    for name in BLOCK_TEMPLATES:
        path = root / "_blocks" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_block_text(name, rng), "utf-8")
    (root / "_roles").mkdir(exist_ok=True)
    (root / "_roles" / "read-only.toml").write_text(READ_ONLY_ROLE, "utf-8")
    (root / "_roles" / "edit-local.toml").write_text(EDIT_ROLE, "utf-8")
    for index in range(agents):
        path = root / "_manifests" / f"{agent_id(index)}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_manifest(index, agents, rng), "utf-8")
    return root


FOUR_TARGETS = ("claude-code", "codex", "copilot", "cursor")


def enable_targets(root: Path, targets: tuple[str, ...] = FOUR_TARGETS) -> str:
    """Render to several targets: each model name becomes an alias every target knows.

    Returns the previous config, for :func:`restore_config`.
    """
    config = root / "assembler.toml"
    before = config.read_text("utf-8")
    names = ", ".join(f'"{target}"' for target in targets)
    aliases = "".join(
        f"\n[models.{model}]\n" + "".join(
            f'{target} = "{model if target == "claude-code" else "inherit"}"\n' for target in targets)
        for model in MODELS if model)
    config.write_text(f"targets = [{names}]\n" + before + aliases, "utf-8")
    return before


def restore_config(root: Path, text: str) -> None:
    (root / "assembler.toml").write_text(text, "utf-8")


def manifest_path(root: Path, index: int = 0) -> Path:
    return root / "_manifests" / f"{agent_id(index)}.toml"


def make_stale(root: Path, index: int = 0) -> None:
    """Change one manifest's role text so exactly that agent is stale."""
    path = manifest_path(root, index)
    text = path.read_text("utf-8")
    path.write_text(text.replace('role = """\n', 'role = """\n' + STALE_TEXT.strip() + "\n", 1), "utf-8")


def edit_block(root: Path, name: str = "baseline") -> None:
    """Toggle a trailing sentence in a block, so every run changes its text."""
    path = root / "_blocks" / f"{name}.md"
    text = path.read_text("utf-8")
    text = text[: -len(STALE_TEXT)] if text.endswith(STALE_TEXT) else text + STALE_TEXT
    path.write_text(text, "utf-8")


# -- a catalog shaped like the seed one: plainer templates, the agent's name on every line --
SEED_BLOCKS = 12
SEED_LINES = 14  # lines of each block, every one naming the agent
SEED_CONFIG = """\
# Synthetic catalog shaped like a real seed catalog, generated for benchmarks.
output = "agents"
regenerate = "make agents"
required_fields = ["role", "domain_in", "forbidden_domain"]

[layout]
report_fields = ["Goal: <one line>", "Scope: <in / out>", "Verify: <each criterion pass/fail>"]
report_closing_fields = ["Blockers / next: <list>"]
references = ["`docs/handbook.md`: team handbook", "`notes/INDEX.md`: memory index"]
"""


def _seed_block(index: int, rng: random.Random) -> str:
    lines = [f"- {{{{ agent.name }}}} must {_sentence(rng, 8)[:-1].lower()}." for _ in range(SEED_LINES)]
    return (f"---\ndescription: seed-shaped block {index}\n---\n# RULE SET {index}\n\n"
            + "\n".join(lines) + "\n")


def generate_seed_shaped(root: Path, agents: int, seed: int = 0) -> Path:
    """A catalog like the seed one: 12 blocks using ``{{ agent.name }}`` on every line, two
    roles (three of the blocks are theirs), 6 scope items and a handoff per agent."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "assembler.toml").write_text(SEED_CONFIG, "utf-8")
    names = [f"rule-{index:02d}" for index in range(SEED_BLOCKS)]
    (root / "_blocks").mkdir(exist_ok=True)
    for index, name in enumerate(names):
        (root / "_blocks" / f"{name}.md").write_text(_seed_block(index, rng), "utf-8")
    (root / "_roles").mkdir(exist_ok=True)
    for role, blocks in (("sandboxed", names[:2]), ("reviewer", names[2:3])):
        (root / "_roles" / f"{role}.toml").write_text(
            f'description = "The {role} role."\npreamble = "> Checked on every report."\n'
            f"blocks = {_toml_list(blocks)}\n", "utf-8")
    for index in range(agents):
        name = agent_name(index)
        target = agent_name((index + 1) % agents) if agents > 1 else name
        lines = [
            f'name = "{name}"',
            f'description = "{_paragraph(rng, 2)}"',
            f"tools = {_toml_list(TOOLSETS[index % len(TOOLSETS)])}",
            f'model = "{MODELS[index % 3]}"',
            f'substrate_role = "{"sandboxed" if index % 2 else "reviewer"}"',
            'role = """\n' + _paragraph(rng, 4) + '\n"""',
            f"blocks = {_toml_list(names[3:])}",
            f"domain_in = {_toml_list([_sentence(rng, 10) for _ in range(6)])}",
            f"forbidden_domain = {_toml_list([_sentence(rng, 8) for _ in range(3)])}",
            "", "[[handoff]]", f'target = "{target}"', f'trigger = "{_sentence(rng, 8)}"',
        ]
        path = root / "_manifests" / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", "utf-8")
    return root
# -- hand-written agent files, for `assembler import` -------------------------------------------
SHARED_SECTIONS = 24  # sections several files copy word for word
SECTIONS_PER_FILE = 12  # about 10 KB per file


def _section(rng: random.Random, title: str, paragraphs: int) -> str:
    bullets = "\n".join(f"- {_sentence(rng, rng.randint(5, 10))}" for _ in range(rng.randint(2, 5)))
    text = "\n\n".join(_paragraph(rng, rng.randint(3, 5)) for _ in range(paragraphs))
    return f"## {title}\n\n{text}\n\n{bullets}"


def agent_files(folder: Path, count: int, seed: int = 0) -> Path:
    """Write ``count`` hand-written Claude Code agent files of about 10 KB under ``folder``.

    Each file has frontmatter (some descriptions need quotes, some files pin extra
    keys), an intro, about half of its sections copied from a pool of shared ones
    (a few of them in a slightly edited variant, to be found as near-duplicates),
    and the rest of its own. One folder per team, as in larger collections.
    """
    rng = random.Random(seed)
    pool = [_section(rng, f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} rules {n}", 2)
            for n in range(SHARED_SECTIONS)]
    variants = {n: pool[n].replace(" the ", " a ", 1) for n in range(0, SHARED_SECTIONS, 6)}
    for index in range(count):
        name = agent_name(index)
        tools = ", ".join(TOOLSETS[index % len(TOOLSETS)])
        description = _paragraph(rng, 2)
        if index % 5 == 0:  # an unquoted `: `, which Claude Code reads after quoting it
            description = "Use it when: " + description
        front = [f"name: {name}", f"description: {description}", f"tools: {tools}"]
        if MODELS[index % len(MODELS)]:
            front.append(f"model: {MODELS[index % len(MODELS)]}")
        if index % 3 == 0:
            front.append("color: blue")
        shared = rng.sample(range(SHARED_SECTIONS), SECTIONS_PER_FILE // 2)
        sections = [variants[n] if n in variants and rng.random() < 0.2 else pool[n] for n in shared]
        sections += [_section(rng, f"{rng.choice(WORDS).capitalize()} notes {k}", 2)
                     for k in range(SECTIONS_PER_FILE - len(shared))]
        rng.shuffle(sections)
        body = _paragraph(rng, 4) + "\n\n" + "\n\n".join(sections)
        path = folder / TEAMS[index % len(TEAMS)] / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(front) + "\n---\n\n" + body + "\n", "utf-8")
    return folder
