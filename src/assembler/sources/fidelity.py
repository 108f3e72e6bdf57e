"""Manifest settings that keep an adopted hand-written agent file byte-exact.

A catalog written from scratch needs none of these: the layout decides every
byte. Files taken in with ``assembler import`` come with habits of their own
(quoting, key order, extra frontmatter keys, sections nobody shares, CRLF line
endings, no final newline), and these settings record them in the manifest so
that rendering gives the original file back:

- ``[frontmatter]``: the YAML text of frontmatter values, by key, in output
  order. Keys other than ``name``, ``description``, ``tools`` and ``model`` are
  written after those, as they are. A standard key listed there is written at
  that place in that text, and must still say what the manifest field says.
- ``[text]``: the agent's own Markdown pieces; ``blocks`` places one with
  ``"@<key>"`` among the shared blocks. Text is written as it is: no Jinja2,
  and leading or trailing blank lines are kept.
- ``footer``: blocks and ``"@<key>"`` texts rendered last, after the layout's
  sections (like blocks whose own frontmatter says ``placement: footer``).
- ``body``: the whole text after the frontmatter, verbatim, instead of the
  layout's sections (for files no layout can reproduce).
- ``newline = "crlf"`` and ``final_newlines`` (default 1): applied to the
  finished file, so a manifest can give back CRLF files or files without
  (or with extra) newlines at the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostics
from .yaml import load_yaml, yaml_lines
from .toml import TomlDocument

if TYPE_CHECKING:
    from .schema import Manifest

STANDARD_KEYS = ("name", "description", "tools", "model")
TEXT_PREFIX = "@"
# Fields whose sections ``body`` replaces: a manifest with a body sets none of them.
_BODY_EXCLUDES = ("role", "substrate_role", "blocks", "footer", "domain_in", "forbidden_domain",
                  "handoff", "output_extra_fields", "text")


def standard_values(manifest: Manifest) -> dict[str, str]:
    """The standard frontmatter keys the manifest sets, as the layout writes them."""
    values = {"name": manifest.name, "description": manifest.description.strip()}
    if manifest.tools:
        values["tools"] = ", ".join(manifest.tools)
    if manifest.model:
        values["model"] = manifest.model
    return values


def frontmatter_entry(key: str, raw: str) -> str:
    """One ``key: value`` entry from the value's YAML text (see :func:`split_entry`)."""
    if raw == "" or raw[0] in "\r\n":
        return f"{key}:{raw}\n"
    return f"{key}: {raw}\n"


def split_entry(key: str, entry: str) -> str:
    """The value text of ``entry`` (``key: …`` up to, not including, its last newline)."""
    rest = entry[len(key) + 1:]
    rest = rest[:-1] if rest.endswith("\n") else rest
    return rest[1:] if rest.startswith(" ") else rest


def frontmatter_text(manifest: Manifest) -> str:
    """The YAML between the ``---`` lines: standard keys, then the pinned ones."""
    pinned = manifest.frontmatter
    fields = [(key, value) for key, value in standard_values(manifest).items() if key not in pinned]
    return yaml_lines(fields) + "".join(frontmatter_entry(k, raw) for k, raw in pinned.items())


def body_parts(manifest: Manifest) -> tuple[bool, str] | None:
    """For a verbatim ``body``: whether a blank line precedes the banner, and the rest.

    The banner goes after the blank line that follows the frontmatter, or right
    below the frontmatter when the body does not start with one.
    """
    if manifest.body is None:
        return None
    body = manifest.body
    return (True, body[1:]) if body.startswith("\n") else (False, body)


def finish(text: str, manifest: Manifest) -> str:
    """Apply ``final_newlines`` and ``newline`` to a rendered file (ends with one LF)."""
    if manifest.final_newlines != 1:
        text = text[:-1] + "\n" * manifest.final_newlines
    if manifest.newline == "crlf":
        text = text.replace("\n", "\r\n")
    return text


def check_fidelity(manifest: Manifest, document: TomlDocument, diagnostics: Diagnostics) -> None:
    """Rules a schema cannot express: text references, body exclusivity, pinned values."""
    path = document.path
    used = set()
    placed = [(("blocks", i), entry) for i, entry in enumerate(manifest.blocks)]
    placed += [(("footer", i), entry) for i, entry in enumerate(manifest.footer)]
    for loc, entry in placed:
        if entry.startswith(TEXT_PREFIX):
            key = entry[len(TEXT_PREFIX):]
            used.add(key)
            if key not in manifest.text:
                diagnostics.error(path, *document.locate(loc),
                                  f"`{entry}` names no entry of this manifest's [text] table",
                                  f"add `{key} = \"\"\"…\"\"\"` under [text], or remove `{entry}`")
    for key in manifest.text:
        if key not in used:
            diagnostics.error(path, *document.locate(("text", key)),
                              f"text `{key}` is not placed: `blocks` and `footer` have no "
                              f"\"{TEXT_PREFIX}{key}\"",
                              f"add \"{TEXT_PREFIX}{key}\" to `blocks` where it belongs, or remove it")
    if manifest.body is not None:
        present = [field for field in _BODY_EXCLUDES if getattr(manifest, field)]
        if manifest.references.extra:
            present.append("references")
        for field in present:
            diagnostics.error(path, *document.locate((field,)),
                              f"`{field}` cannot be combined with `body`",
                              "`body` is the whole text after the frontmatter; move this "
                              "content into it, or drop `body` and use the layout's fields")
    if manifest.frontmatter:
        _check_pinned(manifest, document, diagnostics)


def _check_pinned(manifest: Manifest, document: TomlDocument, diagnostics: Diagnostics) -> None:
    import yaml

    text = frontmatter_text(manifest)
    try:
        data = load_yaml(text, core=True)
    except yaml.YAMLError as exc:
        diagnostics.error(document.path, *document.locate(("frontmatter",)),
                          f"[frontmatter] does not give valid YAML: {getattr(exc, 'problem', exc)}",
                          "each value is the YAML text written after `key: `; quote text "
                          "containing `: ` or starting with a special character")
        return
    if not isinstance(data, dict):
        diagnostics.error(document.path, *document.locate(("frontmatter",)),
                          "[frontmatter] does not give a YAML mapping")
        return
    expected: dict[str, Any] = {
        "description": manifest.description,
        "tools": manifest.tools,
        "model": manifest.model,
    }
    for key in ("description", "tools", "model"):
        if key not in manifest.frontmatter:
            continue
        said = data.get(key)
        if key == "tools" and isinstance(said, str):
            said = [tool.strip() for tool in said.split(",") if tool.strip()]
        elif key == "tools" and said is None:
            said = []
        if said != expected[key]:
            diagnostics.error(
                document.path, *document.locate(("frontmatter", key), value=True),
                f"`frontmatter.{key}` says {said!r}, but `{key}` is {expected[key]!r}",
                f"write the same value in both, or remove `frontmatter.{key}` "
                "to let the layout write it",
            )
