"""Claude Code subagents: ``<output>/<id>.md``, YAML frontmatter, a Markdown body.

The frontmatter holds ``name``, ``description``, ``tools`` (comma-joined) and
``model``, then the manifest's pinned ``[frontmatter]`` entries; the body is
the built-in layout (or the catalog's ``_templates/claude-code.md.j2``); the
banner is an HTML comment on the line after the frontmatter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..compose.composition import Source, TextOf, Value
from ..sources.fidelity import finish, frontmatter_entry, standard_values
from ..sources.yaml import yaml_scalar
from .base import HTML_COMMENT, PLACEHOLDER, Target

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..compose.render import Renderer


def frontmatter(composition: "Composition") -> list[Value]:
    """One value per frontmatter entry (``key: value`` lines), each with its manifest key."""
    agent = composition.agent
    manifest, document = agent.manifest, agent.document
    pinned = manifest.frontmatter
    entries = []
    for key, value in standard_values(manifest).items():
        if key in pinned:
            continue
        source = None
        if key in document.data:
            transform = "derived" if key in ("tools", "name") else "yaml"
            source = Source("manifest", document, (key,), agent.id, transform, whole=True)
        entries.append(Value(f"{key}: {yaml_scalar(value)}\n", source))
    for key, raw in pinned.items():
        source = Source("manifest", document, ("frontmatter", key), agent.id, "derived", whole=True)
        entries.append(Value(frontmatter_entry(key, raw), source))
    return entries


class ClaudeCode(Target):
    name = "claude-code"
    folder_key = "output"
    suffix = ".md"
    comment = HTML_COMMENT
    layout = "claude-code.md.j2"
    imports = True

    def variables(self, composition: "Composition", text_of: TextOf) -> dict[str, Any]:
        variables = composition.sections(text_of)
        variables["banner"] = PLACEHOLDER
        variables["frontmatter"] = "".join(text_of(entry) for entry in frontmatter(composition))
        return variables

    def emit(self, composition: "Composition", renderer: "Renderer") -> str | None:
        agent = composition.agent
        text = renderer.render_layout(
            self.layout, lambda text_of: self.variables(composition, text_of), agent,
            self.path(renderer.catalog.settings, agent.id))
        if text is None:
            return None
        return finish(text.rstrip("\n") + "\n", agent.manifest)
