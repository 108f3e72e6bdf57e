"""Templates: blocks and layouts through one sandboxed Jinja2, compiled once per run.

Each block is compiled once, whatever the number of agents using it; blocks
without Jinja2 syntax are not compiled at all. A layout is compiled the first
time a target asks for it, from ``_templates/`` when the catalog overrides it.
Template failures never raise: they are collected, one per source line, with
the agents they broke. Rendering is a pure function of the catalog: sorted
inputs, no clock, no environment.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any, Callable

import jinja2
from jinja2.sandbox import SecurityError

from ..diagnostics import CatalogError, Diagnostic, Diagnostics
from ..sources.catalog import Agent, Catalog
from ..sources.toml import read_text
from .composition import Composition, TextOf, Value, compose, plain
from .limits import (
    DEFAULT_LIMIT, BoundedSandbox, OutputLimit, byte_length, check_size, render, render_bounded,
    repeats, scope,
)

BUILT_IN_PREFIX = "<assembler>/layouts/"
_LIMIT_HINT = ("a block may render at most `max_block_bytes` bytes (1000000 unless the config "
               "sets it); render less, or raise the limit in the config if this is intended")
Failures = dict[tuple[str, int, str], list[str]]


def make_environment(loader: jinja2.BaseLoader | None = None,
                     limit: int = DEFAULT_LIMIT) -> BoundedSandbox:
    """The one Jinja2 configuration used for blocks and layouts (see :mod:`.limits` for
    ``limit``)."""
    env = BoundedSandbox(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.limit = limit
    return env


class TemplateSource:
    """A template's text, where its errors are reported, and its line offset."""

    def __init__(self, text: str | None, path: str, first_line: int = 1):
        self.text, self.path, self.first_line = text, path, first_line


class Ink:
    """How a target writes values into a file: plainly here; the tracer's ink marks origins."""

    @staticmethod
    def text(value: Value) -> str:
        return value.text

    @staticmethod
    def rstrip(text: str) -> str:
        """``text`` without its trailing line breaks."""
        return text.rstrip("\n")


PLAIN_INK = Ink()


class Renderer:
    """Compiles a catalog's templates once, then composes agents and renders layouts.

    :meth:`render_block` and :meth:`render_layout` are the two places a template
    is run; the tracing renderer (provenance) overrides them to mark origins.
    """

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.diagnostics = Diagnostics()
        self.sources: dict[str, TemplateSource] = {}
        self.failed: Failures = {}
        self.limit = catalog.settings.config.max_block_bytes
        self.env = make_environment(jinja2.FunctionLoader(self._load_source), self.limit)
        self.blocks: dict[str, jinja2.Template | str] = {}
        self._streamed: set[str] = set()  # blocks whose output is counted as it is rendered
        self._layouts: dict[str, jinja2.Template | None] = {}
        self._layout_keys: dict[tuple[str, str | None], str] = {}
        self._scope_of: dict[str, Any] | None = None  # the context last rendered, and its scope
        self._scope: dict[str, Any] = {}
        for name, block in sorted(catalog.blocks.items()):
            self.sources[f"block:{name}"] = TemplateSource(block.source, block.path, block.body_line)
            if block.is_static:
                if len(block.source) > self.limit and byte_length(block.source) > self.limit:
                    self.diagnostics.error(
                        block.path, 1, 1,
                        f"block `{name}` is longer than `max_block_bytes` ({self.limit} bytes)",
                        _LIMIT_HINT)
                    continue
                self.blocks[name] = block.source
            else:
                compiled = self._compile(f"block:{name}")
                if compiled is not None:
                    self.blocks[name] = compiled

    # -- compilation -----------------------------------------------------------------
    def _load_source(self, name: str) -> tuple[str, str, Callable[[], bool]] | None:
        source = self.sources.get(name)
        return None if source is None else (source.text, source.path, lambda: True)

    def _compile(self, name: str) -> jinja2.Template | None:
        source = self.sources[name]
        try:
            template = self.env.get_template(name)
            if name.startswith("block:") and repeats(self.env.parse(source.text)):
                self._streamed.add(name)
            return template
        except jinja2.TemplateSyntaxError as exc:
            self.diagnostics.error(
                source.path, (exc.lineno or 1) + source.first_line - 1, 1,
                f"Jinja2 syntax error: {exc.message}",
                "fix the template tag; `{{ … }}` prints a value, `{% … %}` is a statement",
            )
            return None
        except (RecursionError, SyntaxError, MemoryError):
            # Python cannot compile what Jinja2 makes of a template nested this deep
            # (IndentationError: too many levels of indentation, or the parser's recursion).
            line, depth = deepest_nesting(self.env, source.text)
            self.diagnostics.error(
                source.path, line + source.first_line - 1, 1,
                f"template nested too deeply ({depth} levels of tags or brackets here)",
                "nest fewer `{% if %}`, `{% for %}` and brackets inside each other "
                "(a few dozen levels at most)",
            )
            return None

    def layout_key(self, filename: str, target: str | None = None) -> str:
        """The name under which layout ``filename`` (as target ``target`` finds it) is kept."""
        if (filename, target) not in self._layout_keys:
            source = layout_source(self.catalog, filename, target, self.diagnostics)
            key = f"layout:{source.path}"
            self.sources[key] = source
            self._layout_keys[(filename, target)] = key
        return self._layout_keys[(filename, target)]

    def layout(self, filename: str, target: str | None = None) -> jinja2.Template | None:
        """The compiled layout: the catalog's override (``_templates/<target>.md.j2``, then
        ``_templates/<filename>``), else the built-in one."""
        key = self.layout_key(filename, target)
        if key not in self._layouts:  # an override that could not be read has no text
            self._layouts[key] = self._compile(key) if self.sources[key].text is not None else None
        return self._layouts[key]

    def layout_source(self, filename: str, target: str | None = None) -> TemplateSource:
        return self.sources[self.layout_key(filename, target)]

    # -- running templates -------------------------------------------------------------
    def run(self, name: str, template: jinja2.Template | str, context: dict[str, Any],
            agent: Agent) -> str | None:
        """Render one template; a failure is recorded against its source line."""
        if isinstance(template, str):
            return template
        try:
            if context is not self._scope_of:  # one scope for all of an agent's blocks
                self._scope_of, self._scope = context, scope(self.env, context)
            if name in self._streamed:
                return render_bounded(template, self._scope, self.limit)
            text = render(template, self._scope)
            if name.startswith("block:"):
                check_size(text, self.limit)
            return text
        except Exception as exc:  # any template failure is an input error, never a crash
            source = self.sources[name]
            line = _template_line(exc, source.path)
            message = _describe(exc, source.text.splitlines()[line - 1:line])
            line += source.first_line - 1
            self.failed.setdefault((source.path, line, message), []).append(agent.id)
            return None

    def render_block(self, name: str, context: dict[str, Any], agent: Agent) -> str | None:
        template = self.blocks.get(name)
        return None if template is None else self.run(f"block:{name}", template, context, agent)

    def render_layout(self, filename: str, variables: Callable[[TextOf], dict[str, Any]],
                      agent: Agent, output: str, target: str | None = None) -> str | None:
        """Render layout ``filename`` with ``variables(text_of)`` for the file ``output``."""
        template = self.layout(filename, target)
        if template is None:
            return None
        return self.run(self.layout_key(filename, target), template, variables(plain), agent)

    def transform(self, output: str, change: Callable[[str, "Ink"], str], text: str) -> str:
        """``change(text, ink)``: a target reshaping a rendered layout. The tracer applies the
        same change to its marked copy, with an ink that marks, so origins follow."""
        return change(text, PLAIN_INK)

    def compose(self, agent: Agent) -> Composition | None:
        return compose(agent, self.catalog, self.render_block)

    # -- failures ---------------------------------------------------------------------
    def absorb(self, failed: Failures, diagnostics: list[Diagnostic]) -> None:
        """Take in the failures of another renderer (a forked worker's)."""
        for key, agents in failed.items():
            self.failed.setdefault(key, []).extend(agents)
        self.diagnostics.extend(diagnostics)

    def failures(self) -> Diagnostics:
        """Template errors, one per source line, naming the agents they broke."""
        diagnostics = Diagnostics(list(self.diagnostics))
        for (path, line, message), agents in sorted(self.failed.items()):
            shown = ", ".join(agents[:3]) + (f" and {len(agents) - 3} more" if len(agents) > 3 else "")
            diagnostics.error(path, line, 1, f"{message} (rendering {shown})", _hint(message))
        return diagnostics


def layout_source(catalog: Catalog, filename: str, target: str | None = None,
                  diagnostics: Diagnostics | None = None) -> TemplateSource:
    """A layout's text: the catalog's ``_templates/<target>.md.j2`` or ``_templates/<filename>``
    when it has one, else the built-in layout.

    An override that cannot be used (not UTF-8, unreadable, a symbolic link to a file
    outside the catalog) is recorded in ``diagnostics`` and comes back with no text;
    without ``diagnostics`` it raises :class:`CatalogError`.
    """
    settings = catalog.settings
    folder = settings.folder("templates")
    names = ([f"{target}.md.j2"] if target else []) + [filename]
    for name in names:
        override = folder / name
        if override.is_file():
            rel = override.relative_to(settings.root).as_posix()
            problems = Diagnostics() if diagnostics is None else diagnostics
            text = None
            if override.is_symlink() and not override.resolve().is_relative_to(settings.root):
                problems.error(rel, 1, 1,
                               f"`{rel}` is a symbolic link to a file outside the catalog",
                               "copy the layout into the catalog, or remove the link")
            else:
                text = read_text(override, rel, problems)
            if text is None and diagnostics is None:
                raise CatalogError(problems)
            return TemplateSource(text, rel)
    text = resources.files("assembler").joinpath("layouts", filename).read_text("utf-8")
    return TemplateSource(text, BUILT_IN_PREFIX + filename)


_OPENERS = {"if", "for", "macro", "call", "filter", "with", "block", "autoescape", "raw",
            "trans"}
_BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def deepest_nesting(env: jinja2.Environment, text: str) -> tuple[int, int]:
    """The line where tags and brackets are nested deepest, and how deep (lexing only:
    no recursion, whatever the depth)."""
    depth, deepest, line = 0, 0, 1
    tag_start = False
    try:
        for lineno, kind, value in env.lex(text):
            if kind == "block_begin":
                tag_start = True
                continue
            if kind == "whitespace":
                continue
            if tag_start and kind == "name":
                if value in _OPENERS:
                    depth += 1
                elif value.startswith("end") and value[3:] in _OPENERS:
                    depth -= 1
            elif kind == "operator" and value in _BRACKETS:
                depth += _BRACKETS[value]
            tag_start = False
            if depth > deepest:
                deepest, line = depth, lineno
    except jinja2.TemplateSyntaxError:
        pass
    return line, deepest


def _template_line(exc: BaseException, filename: str) -> int:
    """The template line an exception was raised from (Jinja2 maps its frames)."""
    line = getattr(exc, "lineno", None) or 1
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# How each kind of template failure starts (see _describe), and how to fix it.
_SANDBOX = "not allowed in the sandbox: "
_NO_LOADING = "cannot load template "
_RANGE = "template error: OverflowError: Range too big"
_HINTS = (
    ("undefined variable", "define the variable in the manifest's or the config's [vars], or "
                           "guard it with `{% if … is defined %}`"),
    (_SANDBOX, "the sandbox refuses Python internals (attributes starting with `_`, `mro`, "
               "`attr(…)` of them) and unsafe methods: use the values in scope (`agent.name`, "
               "`agent.tools`, `vars.<key>`, `role`) and Jinja2's filters (`upper`, `join`, "
               "`default`, …)"),
    (_NO_LOADING, "a template cannot include, import or extend another: list the other block "
                  "in the manifest's (or a role's) `blocks`, or repeat text with a "
                  "`{% macro %}` in the same file"),
    (_RANGE, "a `range` may hold at most 100,000 numbers: loop over fewer, or over a list "
             "from [vars]"),
)


def _hint(message: str) -> str | None:
    """How to fix a template failure, chosen by how its message starts."""
    if "max_block_bytes" in message:
        return _LIMIT_HINT
    return next((hint for start, hint in _HINTS if message.startswith(start)), None)


def _describe(exc: BaseException, source_line: list[str]) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        message = exc.message or ""
        attribute = re.search(r"has no attribute '([^']+)'", message)
        if attribute:
            name = attribute.group(1)
            used = re.search(rf"([\w.]+)\.{re.escape(name)}\b", "".join(source_line))
            return f"undefined variable `{used.group(0) if used else name}`"
        plain_name = re.match(r"'([^']+)' is undefined", message)
        if plain_name:
            return f"undefined variable `{plain_name.group(1)}`"
        return f"undefined variable: {message}"
    if isinstance(exc, OutputLimit):
        return exc.message or "too much text"
    if isinstance(exc, jinja2.TemplateNotFound):  # include, import, extends: no such template
        return f"{_NO_LOADING}`{exc.name}`"
    if isinstance(exc, SecurityError):
        return _SANDBOX + (exc.message or "").rstrip(".")
    if isinstance(exc, jinja2.TemplateError):
        return f"template error: {exc.message}"
    return f"template error: {type(exc).__name__}: {exc}"
