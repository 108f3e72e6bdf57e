"""Bounds on what a template may produce: a few bytes of Jinja2 must not write gigabytes.

The sandbox already bounds ``range``. What else makes text grow without
bound is refused before it runs, each check costing next to nothing:

* the operators ``*`` (repeating a string or a list), ``+`` and ``~``
  (joining), ``%`` (a format width) and ``**`` (a huge integer);
* the filters and string methods that pad, indent, replace or join:
  ``center``, ``ljust``, ``rjust``, ``zfill``, ``indent``, ``replace``,
  ``join``, ``format`` and ``str.format``, and ``lipsum``;
* and whatever slips through is caught by measuring each block's text: as it
  comes out of the template when the template has a loop, a macro or an
  include (:func:`render_bounded`), so repetition cannot add up to more than
  the limit either, and once it is done otherwise.

The limit is the config's ``max_block_bytes`` (1,000,000 by default), far
above any real prompt section.
"""

from __future__ import annotations

import random
import re
from functools import wraps
from typing import Any, Callable

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer

from ..sources.config import MAX_BLOCK_BYTES

DEFAULT_LIMIT = MAX_BLOCK_BYTES
_PERCENT_WIDTH = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_WIDTH = re.compile(r"\{[^{}]*?:[^{}]*?(\d+)")
_NESTED_FIELD = re.compile(r"\{[^{}]*:[^{}]*\{")


_CONCAT = "_assembler_concat"


class _BoundConcat(NodeTransformer):
    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        items = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(items, _CONCAT, [], [], None, None, lineno=node.lineno)


class OutputLimit(jinja2.TemplateError):
    """A template would produce more text than the limit allows."""


def _too_much(what: str, size: int, limit: int) -> OutputLimit:
    return OutputLimit(f"{what} would make {size:,} characters, more than `max_block_bytes` "
                       f"({limit} bytes)")


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


# What ``getattr`` finds on a plain dict before its keys (``vars.items`` is the method).
_DICT_ATTRIBUTES = frozenset(dir(dict))


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox, refusing operations whose result would exceed :attr:`limit`."""

    intercepted_binops = frozenset(["*", "+", "%", "**"])
    limit = DEFAULT_LIMIT

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("center", "indent", "replace", "join", "format"):
            self.filters[name] = _bounded_filter(self, name, self.filters[name])
        self.filters[_CONCAT] = self._concat
        self.globals["lipsum"] = self._lipsum

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template, with every ``~`` (a concatenation, which no operator hook sees)
        turned into a call of :meth:`_concat`."""
        tree = _BoundConcat().visit(super()._parse(source, name, filename))
        tree.set_environment(self)
        return tree

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute``: for a plain dict and a name that is not a dict attribute, the
        key, as the sandbox would find it after its attribute lookup failed (the values
        templates read are plain dicts: ``agent.name``, ``vars.x``)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def _concat(self, items: Any) -> str:
        parts = [item if isinstance(item, str) else str(item) for item in items]
        size = sum(map(len, parts))
        if size > self.limit:
            raise _too_much("`~`", size, self.limit)
        return "".join(parts)

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        if isinstance(n, int) and isinstance(max, int) and n * max * 12 > self.limit:
            raise _too_much("`lipsum`", n * max * 12, self.limit)
        # Jinja2's lipsum draws from the global random generator: seeded here for each call,
        # so the same sources give the same bytes (the drift check and the cache rely on it).
        state = random.getstate()
        random.seed(0)
        try:
            return generate_lorem_ipsum(n, html, min, max)
        finally:
            random.setstate(state)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        limit = self.limit
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if _size(seq) is not None and isinstance(count, int) and count > 0 \
                        and _size(seq) * count > limit:
                    raise _too_much("`*`", _size(seq) * count, limit)
        elif operator == "+":
            if _size(left) is not None and _size(right) is not None \
                    and _size(left) + _size(right) > limit:
                raise _too_much("`+`", _size(left) + _size(right), limit)
        elif operator == "%" and isinstance(left, str):
            _check_percent(left, right, limit)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1 and right * (abs(left).bit_length() - 1) > limit * 8:
                raise OutputLimit(f"`**` would make a number of more than {limit} bytes, the "
                                  "`max_block_bytes` limit")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Any:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text, limit = value.__self__, self.limit
        _check_format(text, limit)
        if not _NESTED_FIELD.search(text):
            return wrapped

        @wraps(wrapped)
        def checked(*args: Any, **kwargs: Any) -> Any:  # widths given as arguments
            values = [*args, *kwargs.values()]
            if args and value.__name__ == "format_map" and isinstance(args[0], dict):
                values = list(args[0].values())
            widths = [v for v in values if isinstance(v, int) and abs(v) > limit]
            if widths:
                raise _too_much("the format width", abs(widths[0]), limit)
            return wrapped(*args, **kwargs)
        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            _check_str_method(owner, getattr(__obj, "__name__", ""), args, kwargs, __self.limit)
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, (str, list)) and len(result) > __self.limit:
            raise _too_much("the call", len(result), __self.limit)
        return result


def _check_percent(template: str, args: Any, limit: int) -> None:
    values = list(args) if isinstance(args, tuple) else [args]
    for match in _PERCENT_WIDTH.finditer(template):
        for part in match.groups():
            if part == "*":
                if any(isinstance(v, int) and abs(v) > limit for v in values):
                    raise _too_much("the `%` format width", max(abs(v) for v in values
                                                                if isinstance(v, int)), limit)
            elif part and int(part) > limit:
                raise _too_much("the `%` format width", int(part), limit)


def _check_format(template: Any, limit: int) -> None:
    if isinstance(template, str):
        for match in _BRACE_WIDTH.finditer(template):
            if int(match.group(1)) > limit:
                raise _too_much("the format width", int(match.group(1)), limit)


def _check_width(width: Any, base: int, limit: int, what: str) -> None:
    if isinstance(width, int) and width + base > limit:
        raise _too_much(what, width + base, limit)


def _check_replace(text: Any, old: Any, new: Any, count: Any, limit: int) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        size = len(text) + hits * max(len(new) - len(old), 0)
        if size > limit:
            raise _too_much("`replace`", size, limit)


def _check_join(items: list[Any], separator: Any, limit: int) -> None:
    size = len(separator) * max(len(items) - 1, 0) if isinstance(separator, str) else 0
    size += sum(len(item) for item in items if isinstance(item, str))
    if size > limit:
        raise _too_much("`join`", size, limit)


def _check_str_method(text: str, name: str, args: tuple, kwargs: dict, limit: int) -> None:
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _check_width(args[0], 0, limit, f"`{name}`")
    elif name == "expandtabs":
        tabsize = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(tabsize, int):
            _check_width(tabsize * text.count("\t"), len(text), limit, "`expandtabs`")
    elif name == "replace" and len(args) >= 2:
        _check_replace(text, args[0], args[1], args[2] if len(args) > 2 else kwargs.get("count"),
                       limit)
    elif name == "join" and args:
        items = args[0]
        if isinstance(items, (list, tuple)):
            _check_join(list(items), text, limit)
    elif name in ("format", "format_map"):
        _check_format(text, limit)


def _bounded_filter(env: BoundedSandbox, name: str, real: Callable) -> Callable:
    """``real`` (a built-in filter), refusing first what would exceed the limit."""
    if name == "join":
        @wraps(real)
        def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
            items = list(value)
            if attribute is None:
                _check_join(items, d, env.limit)
            return real(eval_ctx, items, d, attribute)
        return join
    if name == "replace":
        @wraps(real)
        def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> Any:
            _check_replace(str(s), old, new, count, env.limit)
            return real(eval_ctx, s, old, new, count)
        return replace

    @wraps(real)
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        if name == "center" and args:
            _check_width(args[0], 0, env.limit, "`center`")
        elif name == "indent":
            width = args[0] if args else kwargs.get("width", 4)
            if isinstance(width, int):
                lines = str(value).count("\n") + 1
                _check_width(width * lines, len(str(value)), env.limit, "`indent`")
        elif name == "format":
            _check_percent(str(value), tuple(args) or kwargs, env.limit)
        result = real(value, *args, **kwargs)
        if isinstance(result, str) and len(result) > env.limit:
            raise _too_much(f"`{name}`", len(result), env.limit)
        return result
    return bounded


def byte_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


# Statements that can produce text more times than they are written.
_REPEATING = (nodes.For, nodes.Macro, nodes.CallBlock, nodes.Include, nodes.Extends,
              nodes.Import, nodes.FromImport)


def repeats(ast: nodes.Template) -> bool:
    """True when a template can write text more than once (a loop, a macro, an include):
    its output is counted as it is produced. Any other template writes each piece once,
    and every piece is bounded, so its text is measured when it is done."""
    return next(ast.find_all(_REPEATING), None) is not None


def check_size(text: str, limit: int) -> None:
    if len(text) > limit // 4 and byte_length(text) > limit:
        raise OutputLimit(f"the block renders more than `max_block_bytes` ({limit} bytes)")


def scope(env: jinja2.Environment, context: dict[str, Any]) -> dict[str, Any]:
    """What a template rendered with ``context`` sees: the globals, then ``context``.

    Built once and shared by the templates an agent renders (a template never
    changes it: what it assigns goes into its own context's ``vars``).
    """
    return dict(env.globals, **context)


def _context(template: jinja2.Template, names: dict[str, Any]) -> Any:
    env = template.environment
    return env.context_class(env, names, template.name, template.blocks, globals=template.globals)


def render(template: jinja2.Template, names: dict[str, Any]) -> str:
    """``template.render(context)`` given the :func:`scope` of ``context``."""
    env = template.environment
    try:
        return env.concat(template.root_render_func(_context(template, names)))  # type: ignore
    except Exception:
        env.handle_exception()  # raises, with the template's lines in the traceback
        raise  # not reached


def _generate(template: jinja2.Template, names: dict[str, Any]) -> Any:
    try:
        yield from template.root_render_func(_context(template, names))
    except Exception:
        yield template.environment.handle_exception()


def render_bounded(template: jinja2.Template, names: dict[str, Any], limit: int) -> str:
    """:func:`render`, stopped as soon as the text passes ``limit`` bytes.

    The error carries the template line that was producing text when it did.
    """
    pieces: list[str] = []
    size = 0
    stream = _generate(template, names)
    for piece in stream:
        size += len(piece)
        if size > limit:
            error = OutputLimit(f"the block renders more than `max_block_bytes` ({limit} bytes)")
            error.lineno = _current_line(template, stream)  # type: ignore[attr-defined]
            stream.close()
            raise error
        pieces.append(piece)
    text = "".join(pieces)
    check_size(text, limit)
    return text


def _current_line(template: jinja2.Template, stream: Any) -> int | None:
    """The template line of the innermost generator ``stream`` is suspended in."""
    inner = stream
    while getattr(inner, "gi_yieldfrom", None) is not None:
        inner = inner.gi_yieldfrom
    frame = getattr(inner, "gi_frame", None)
    if frame is None:
        return None
    try:
        return template.get_corresponding_lineno(frame.f_lineno)
    except Exception:  # noqa: BLE001 - a best-effort position
        return None
