"""The Word template through docxtpl: a locked-down, bounded Jinja sandbox, the placeholder check, the filling.

The template is filled by docxtpl's public ``render`` alone. Before that, the template's text is checked: each
paragraph (body, headers, footers, document properties) becomes one line of a Jinja source written in plain
Jinja tags (``{%p for %}`` read as ``{% for %}``, ``{% cellbg x %}`` as ``{{ x }}``), so that a broken tag, an
unknown placeholder or a tag a report may not use is refused with its paragraph quoted, before anything is
rendered. When rendering fails, that same source is rendered again with the same values: the line Jinja names
is the paragraph to quote.

Limits (the README states them): tags are ``{{ }}``, ``{% if %}`` and ``{% for %}`` only (no set, macro,
include, import or extends); ``range()`` gives at most ``MAX_RANGE`` numbers; a string or list a template makes
(``*``, ``+``, ``%``, join, replace, format) holds at most ``MAX_TEXT`` items; widths (center, ljust, rjust,
zfill, indent, format specs) are at most ``MAX_WIDTH``; powers stay under ``MAX_POWER_BITS``; the output is at
most ``output_limit(actions)`` characters; and filling in stops after ``time_limit(actions)`` seconds.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from ofsted_tracker.report_builder.context import known_fields
from ofsted_tracker.report_builder.stream import SHAPING, STREAMED
from ofsted_tracker.report_builder.text import counted, number_words
from ofsted_tracker.workbook.errors import TemplateError

MAX_RANGE, MAX_TEXT, MAX_WIDTH, MAX_POWER_BITS = 10_000, 5_000_000, 1_000, 100_000


def output_limit(actions: int) -> int:
    """Characters the filled document may hold: 20 million, and 20,000 more per action."""
    return 20_000_000 + 20_000 * actions


def time_limit(actions: int) -> float:
    """Seconds filling in may take: 20, and 5 ms more per action."""
    return 20.0 + 0.005 * actions


class LimitExceeded(Exception):
    """A template went past one of the limits above (raised inside the render, reported as a TemplateError)."""


_PLAIN = (str, int, float, bool, dict, list, tuple, type(None))
_WIDTHS = frozenset({"center", "ljust", "rjust", "zfill"})
_PERCENT_SPEC = re.compile(r"%[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_NUMBERS = re.compile(r"\d+")


def _limit(what: str) -> LimitExceeded:
    return LimitExceeded(f"{what}; a report template may not make anything that large")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _check_width(width: Any) -> None:
    if isinstance(width, int) and width > MAX_WIDTH:
        raise _limit(f"a width of {width} is more than {MAX_WIDTH}")


def _check_percent(fmt: str) -> None:
    for match in _PERCENT_SPEC.finditer(fmt):
        for number in match.groups():
            if number == "*" or (number and int(number) > MAX_WIDTH):
                raise _limit(
                    f"the format '{match.group(0)[:20]}' asks for a width over {MAX_WIDTH}"
                )


def _check_format(fmt: str) -> None:
    for _, _, spec, _ in string.Formatter().parse(fmt):
        if spec and ("{" in spec or any(int(n) > MAX_WIDTH for n in _NUMBERS.findall(spec))):
            raise _limit(f"the format '{{:{spec[:20]}}}' asks for a width over {MAX_WIDTH}")


def _check_replace(text: str, old: str, new: str, count: int = -1) -> None:
    found = text.count(old) if old else len(text) + 1
    found = found if count is None or count < 0 else min(found, count)
    if len(text) + found * (len(new) - len(old)) > MAX_TEXT:
        raise _limit(f"replacing would make a text of over {MAX_TEXT:,} characters")


def _check_join(separator: Any, items: Any) -> None:
    if sum(map(_size, items)) + _size(separator) * len(items) > MAX_TEXT:
        raise _limit(f"joining would make over {MAX_TEXT:,} characters")


def _check_indent(s: Any, width: Any = 4, *args: Any, **kwargs: Any) -> None:
    lines = str(s).count("\n") + 1
    if (width if isinstance(width, int) else _size(width)) * lines > MAX_TEXT:
        raise _limit(f"indenting would make over {MAX_TEXT:,} characters")


# Compiled templates and checked template texts, by the SHA-256 of their text: a template is compiled once, however
# many reports are built from it in one process (the add-in server, a benchmark); the oldest go past _KEEP.
_KEEP = 16
_COMPILED: dict[tuple[bytes, bool], Any] = {}
_CHECKED: dict[tuple[bytes, frozenset[str]], frozenset[str]] = {}


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _remembered(cache: dict, key: Any, make: Callable[[], Any]) -> Any:
    """``cache[key]``, made by ``make()`` the first time (an error is not remembered), the oldest dropped past
    ``_KEEP``."""
    if key not in cache:
        value = make()
        if len(cache) >= _KEEP:
            cache.pop(next(iter(cache)))
        cache[key] = value
    return cache[key]


@functools.cache
def _bytecode_cache():
    """Jinja's own bytecode cache (``FileSystemBytecodeCache``) in its default folder: on Linux and macOS a folder
    of the user's own in the temporary folder, which Jinja refuses unless the user owns it and no one else may
    write it; on Windows the user's temporary folder. None when that cannot be had (a report is then compiled
    afresh)."""
    from jinja2 import FileSystemBytecodeCache

    try:
        return FileSystemBytecodeCache(pattern="ofsted-tracker-%s.jinja")
    except (OSError, RuntimeError):
        return None


def _kept_code(env, source: str, defer_init: bool, compile_: Callable[[], Any]) -> Any:
    """The compiled code of a template text, from Jinja's bytecode cache when a run before this one compiled it.

    Each click of the ribbon starts a fresh Python, and compiling the report's template is a third of a cold
    report's time (BENCHMARKS.md). Jinja's cache keeps the code by a key and checks it against the text's checksum
    and the Python version; the key also names Jinja's version and the sandbox's settings, which the code is made
    for. A damaged file or a folder that cannot be written only means compiling again."""
    import jinja2

    cache = _bytecode_cache()
    if cache is None:
        return compile_()
    settings = (
        jinja2.__version__,
        type(env).__mro__[1].__name__,
        sorted(env.intercepted_binops),
        sorted(env.intercepted_unops),
        env.autoescape,
        defer_init,
    )
    key = hashlib.sha256(repr(settings).encode() + source.encode()).hexdigest()
    try:
        bucket = cache.get_bucket(env, key, None, source)
    except Exception:  # noqa: BLE001 - a damaged file (Jinja unpickles it unguarded): compile, write it again
        from jinja2.bccache import Bucket

        bucket = Bucket(env, cache.get_cache_key(key), cache.get_source_checksum(source))
    if bucket.code is None:
        bucket.code = compile_()
        try:
            cache.set_bucket(bucket)
        except OSError:
            pass
    return bucket.code


def sandbox(actions: int = 0):
    """A Jinja environment for templates: sandboxed, immutable data, autoescaped, strict about unknown names,
    and bounded (see the module's limits; ``actions`` is the plan's size, which the output limit follows)."""
    from jinja2 import StrictUndefined, filters, pass_eval_context
    from jinja2.runtime import LoopContext
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from markupsafe import Markup

    allowed = (*_PLAIN, Markup, LoopContext)
    most = output_limit(actions)

    class ReportSandbox(ImmutableSandboxedEnvironment):
        """The sandbox, narrowed: attributes of plain data only; sizes, widths and powers bounded."""

        intercepted_binops = frozenset({"*", "**", "%", "+"})

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            return isinstance(obj, allowed) and super().is_safe_attribute(obj, attr, value)

        def getattr(self, obj: Any, attribute: str) -> Any:
            if isinstance(obj, str) and attribute in (
                "format",
                "format_map",
            ):  # Jinja wraps these: check here
                _check_format(obj)
            return super().getattr(obj, attribute)

        def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
            if operator == "*":
                times = right if isinstance(right, int) else left if isinstance(left, int) else 0
                if max(_size(left), _size(right)) * times > MAX_TEXT:
                    raise _limit(f"repeating would make over {MAX_TEXT:,} items")
            elif operator == "+" and _size(left) + _size(right) > MAX_TEXT:
                raise _limit(f"joining would make over {MAX_TEXT:,} items")
            elif operator == "%" and isinstance(left, str):
                _check_percent(left)
            elif (
                operator == "**"
                and isinstance(left, int)
                and isinstance(right, int)
                and right > 0
                and right * max(abs(left).bit_length() - 1, 0) > MAX_POWER_BITS
            ):
                raise _limit(f"{left} ** {right} is too large a number")
            return super().call_binop(context, operator, left, right)

        def call(self, context, obj: Any, *args: Any, **kwargs: Any) -> Any:
            owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
            if isinstance(owner, str):
                if name in _WIDTHS and args:
                    _check_width(args[0])
                elif (
                    name == "expandtabs"
                    and args
                    and isinstance(args[0], int)
                    and len(owner) * args[0] > MAX_TEXT
                ):
                    raise _limit(f"expanding tabs would make over {MAX_TEXT:,} characters")
                elif name == "replace" and len(args) >= 2:
                    _check_replace(owner, *args[:3])
                elif name == "join" and args:
                    args = (
                        args[0] if isinstance(args[0], (str, list, tuple)) else list(args[0]),
                        *args[1:],
                    )
                    _check_join(owner, args[0])
            return super().call(context, obj, *args, **kwargs)

        def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
            """Jinja's compile, once per template text (``_COMPILED``): every sandbox has the same filters and
            settings, and the limits are read while rendering, so the compiled code serves them all."""
            if raw or name is not None or not isinstance(source, str):
                return super().compile(source, name, filename, raw, defer_init)
            return _remembered(
                _COMPILED,
                (_digest(source), defer_init),
                lambda: _kept_code(
                    self,
                    source,
                    defer_init,
                    lambda: super(ReportSandbox, self).compile(
                        source, name, filename, raw, defer_init
                    ),
                ),
            )

        def concat(self, parts: Iterator[str]) -> str:
            """Join a render's output, stopping it (inside the template, so its line is known) past the limit."""
            out, size = [], 0
            for part in parts:
                size += len(part)
                if size > most:
                    parts.throw(_limit(f"the filled document would hold over {most:,} characters"))
                out.append(part)
            return "".join(out)

    def checked(filter_, check):
        def run(*args, **kwargs):
            check(*args, **kwargs)
            return filter_(*args, **kwargs)

        return run

    @pass_eval_context
    def join(eval_ctx, value: Any, d: str = "", attribute: Any = None) -> str:
        value = list(value)
        _check_join(d, value)
        return filters.do_join(eval_ctx, value, d, attribute)

    env = ReportSandbox(autoescape=True, undefined=StrictUndefined)
    env.globals = {"range": _range}
    env.filters.update(
        {
            "center": checked(filters.do_center, lambda value, width=80: _check_width(width)),
            "indent": checked(filters.do_indent, _check_indent),
            "format": checked(filters.do_format, lambda value, *a, **k: _check_percent(str(value))),
            "replace": checked(
                filters.do_replace,
                lambda eval_ctx, s, old, new, count=None: _check_replace(
                    str(s), str(old), str(new), count
                ),
            ),
            "wordwrap": checked(
                filters.do_wordwrap, lambda env_, s, width=79, *a, **k: _check_width(width)
            ),
            "batch": checked(
                filters.do_batch, lambda value, linecount, *a, **k: _check_width(linecount)
            ),
            "slice": checked(filters.do_slice, lambda value, slices, *a, **k: _check_width(slices)),
            "join": join,
            "words": _words,  # {{ period.due|words }}: seventeen
            "counted": _counted,  # {{ revisions_count|counted('deadline revision') }}: one deadline revision, ten ...
        }
    )
    for name in ("replace", "wordwrap"):  # keep what Jinja passes them first
        env.filters[name].jinja_pass_arg = getattr(
            getattr(filters, f"do_{name}"), "jinja_pass_arg", None
        )
    return env


def _words(number: Any) -> str:
    """A count in words (report_builder.text.number_words); anything that is not a whole number as it is."""
    return (
        number_words(number)
        if isinstance(number, int) and not isinstance(number, bool)
        else str(number)
    )


def _counted(number: Any, noun: str, plural: str | None = None) -> str:
    """A count and its noun in words, singular or plural (report_builder.text.counted)."""
    if not isinstance(number, int) or isinstance(number, bool):
        return f"{number} {plural or str(noun) + 's'}"
    return counted(
        number, str(noun)[:MAX_WIDTH], plural if plural is None else str(plural)[:MAX_WIDTH]
    )


def _range(*args: int) -> range:
    """range(), at most MAX_RANGE numbers."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _limit(f"range() of {len(numbers):,} numbers is more than {MAX_RANGE:,}")
    return numbers


@contextmanager
def stop_after(seconds: float) -> Iterator[None]:
    """Stop the code inside after ``seconds``: a timer raises LimitExceeded in this thread (any platform)."""
    import ctypes

    thread, lock, state = threading.get_ident(), threading.Lock(), {"armed": True, "fired": False}
    error = ctypes.py_object(type("TimeLimitExceeded", (LimitExceeded,), {}))

    def fire() -> None:
        with lock:
            if state["armed"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), error)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["armed"] = False
            if state["fired"]:  # not raised yet (it fired as the work ended): take it back
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), None)
        timer.cancel()


_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def move_body(root, body) -> None:
    """Put the rendered ``body`` (parsed on its own) in place of ``root``'s body, in time linear in its size.

    lxml (6.2 and its master) caches, while it moves a subtree between documents, each namespace under the
    namespace it has just found instead of the one the node had (``_fixCNs`` in ``proxy.pxi``; bench/lxml_fixcns.py
    reproduces it): a namespace declared outside the moved subtree misses the cache on every node and lengthens
    it. The body docxtpl renders declares its own namespaces except the XML one, which every ``xml:space`` uses,
    so the move is quadratic in their number (3.8 s at 10,000 actions). They are lifted off before the move and
    set again after it, each where it was among its element's attributes: the document is byte-identical.
    """
    lifted = []
    for element in body.xpath("descendant-or-self::*[@xml:space]"):
        names = list(element.attrib.keys())
        after = names[names.index(_XML_SPACE) :]  # xml:space and the attributes after it, in order
        lifted.append((element, [(name, element.attrib.pop(name)) for name in after]))
    root.replace(root.body, body)
    for element, attributes in lifted:
        for name, value in attributes:
            element.set(name, value)


@functools.cache
def report_template_class():
    """docxtpl's ``DocxTemplate`` with its body moved by :func:`move_body` (docxtpl imported only when needed)."""
    from docxtpl import DocxTemplate

    class ReportTemplate(DocxTemplate):
        def map_tree(self, tree) -> None:
            move_body(self.docx._element, tree)

    return ReportTemplate


def load(source: IO[bytes] | str, name: str):
    """Open a .docx template with docxtpl, or say clearly why it cannot be used."""
    import zipfile

    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        with zipfile.ZipFile(source) as package:
            for member in package.namelist():
                if member.endswith((".xml", ".rels")) and b"<!DOCTYPE" in package.open(member).read(
                    4096
                ):
                    raise TemplateError(
                        f"The Word template {name} holds a document type declaration (DTD) in "
                        f"{member}, which Word never writes. Save it again from Word as "
                        "'Word Document (*.docx)'."
                    )
        tpl = report_template_class()(source)
        tpl.get_docx()
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        XMLSyntaxError,
    ) as exc:
        raise TemplateError(
            f"The Word template {name} is not a Word document (.docx) that can be read: "
            f"{exc}. Save it from Word as 'Word Document (*.docx)'."
        ) from exc
    return tpl


# docxtpl's tags written as plain Jinja: {%p for %} {%tr if %} {{r x }} -> {% for %} {% if %} {{ x }};
# {% cellbg x %} and {% colspan x %} print x; {% vm %} and {% hm %} merge cells.
_DOCXTPL_TAGS = (
    (re.compile(r"\{%-?\s*(?:p|tr|tc|r)\s"), "{% "),
    (re.compile(r"\{\{\s*(?:p|r)\s"), "{{ "),
    (re.compile(r"\{%\s*(?:cellbg|colspan)\s+(.*?)\s*%\}"), r"{{ \1 }}"),
    (re.compile(r"\{%\s*(?:vm|hm)\s*%\}"), ""),
)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
_TAG = re.compile(r"\{[{%#].*?[}%#]\}")
_ALLOWED_TAGS = ("Output", "If", "For")
_TAG_WORDS = {
    "Assign": "set",
    "AssignBlock": "set",
    "FromImport": "import",
    "CallBlock": "call",
    "FilterBlock": "filter",
    "ExprStmt": "do",
}


@dataclass(frozen=True)
class Source:
    """The template's text as Jinja source, one paragraph a line, and where each line comes from."""

    lines: tuple[tuple[str, str], ...]  # (where: "the body", "a header"..., the paragraph's text)

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def quote(self, lineno: int | None) -> str:
        """' (in a footer, paragraph '...')' for a line of the source, or '' when it is not known."""
        if not lineno or not 0 < lineno <= len(self.lines):
            return ""
        where, line = self.lines[lineno - 1]
        text = line if len(line) <= 160 else line[:157] + "..."
        return f" (in {where}, paragraph '{text}')"


def template_source(document) -> Source:
    """The template's paragraphs (body, headers, footers, then the document properties docxtpl fills)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    parts = [("the body", document.element.body)]
    parts += [
        ("a header" if rel.reltype == RT.HEADER else "a footer", rel.target_part.element)
        for rel in document.part.rels.values()
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external
    ]
    lines = [
        (where, _plain(Paragraph(p, None).text))
        for where, element in parts
        for p in element.iter(qn("w:p"))
    ]
    props = document.core_properties
    lines += [
        ("the document properties", _plain(getattr(props, name) or ""))
        for name in ("author", "comments", "identifier", "language", "subject", "title")
    ]
    return Source(tuple(lines))


def _plain(text: str) -> str:
    text = _TAG.sub(lambda m: m.group(0).translate(_QUOTES), text.replace("\n", " "))
    for pattern, replacement in _DOCXTPL_TAGS:
        text = pattern.sub(replacement, text)
    return text


def check(source: Source, env, provided: frozenset[str]) -> frozenset[str]:
    """Refuse a template with a broken tag, a tag reports may not use, or a placeholder or field the report does
    not provide, quoting its paragraph; return the top-level names it uses. A text that passed is not checked
    again (``_CHECKED``)."""
    return _remembered(
        _CHECKED, (_digest(source.text), provided), lambda: _kept_check(source, env, provided)
    )


def _kept_check(source: Source, env, provided: frozenset[str]) -> frozenset[str]:
    """The check's result for a text that passed it in a run before this one, from a file beside Jinja's bytecode
    (``_bytecode_cache``), else the check itself (about 0.1 s of a cold report: Jinja parses the whole template).

    Only a pass is kept. Its key is the template's text with everything else the check reads: the placeholders and
    fields the report provides, the sandbox's filters and tests, the streamed lists, and this module's own code,
    so a changed rule checks every template again. A file that is not a list of names is ignored."""
    import json
    import os
    import tempfile
    from pathlib import Path

    cache = _bytecode_cache()
    try:
        code = Path(__file__).read_bytes()
    except OSError:  # not installed as files (a frozen build): check every time
        cache = None
    if cache is None:
        return _checked(source, env, provided)
    rules = (
        sorted(provided),
        sorted(known_fields()),
        sorted(env.filters),
        sorted(env.tests),
        sorted(STREAMED),
        sorted(SHAPING),
    )
    key = hashlib.sha256(repr(rules).encode() + code + source.text.encode()).hexdigest()
    kept = Path(cache.directory) / f"ofsted-tracker-check-{key}.json"
    try:
        names = json.loads(kept.read_text(encoding="utf-8"))
        if isinstance(names, list) and all(isinstance(name, str) for name in names):
            return frozenset(names)
    except (OSError, ValueError):
        pass
    used, out = _checked(source, env, provided), None
    try:  # written whole, then renamed: another process reads the old file or the new one
        with tempfile.NamedTemporaryFile(
            "w", dir=kept.parent, prefix=kept.name, suffix=".tmp", delete=False, encoding="utf-8"
        ) as out:
            json.dump(sorted(used), out)
        os.replace(out.name, kept)
    except OSError:  # nowhere to keep it: the next run checks again
        if out is not None:
            Path(out.name).unlink(missing_ok=True)
    return used


def _checked(source: Source, env, provided: frozenset[str]) -> frozenset[str]:
    from jinja2 import TemplateSyntaxError, nodes

    try:
        tree = env.parse(source.text)
        for node in tree.find_all(nodes.Stmt):
            kind = type(node).__name__
            if kind not in _ALLOWED_TAGS:
                raise TemplateError(
                    f"The Word template uses {{% {_TAG_WORDS.get(kind, kind.lower())} %}}"
                    f"{source.quote(node.lineno)}: report templates may use {{{{ }}}}, {{% if %}} "
                    "and {% for %} only."
                )
        used = _undeclared(tree, env)
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"The Word template could not be filled in: it has a broken tag: {_sentence(exc)}"
            f"{source.quote(exc.lineno)}. Check that every {{% if %}} and {{% for %}} is closed and "
            "that tags are typed with straight braces."
        ) from exc
    fields = known_fields()
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name in used - provided - set(env.globals):
            raise TemplateError(
                f"The Word template uses the placeholder '{node.name}', which the report does not "
                f"provide{source.quote(node.lineno)}. Correct the spelling; the placeholders are "
                "listed under 'The Word report' in the README."
            )
    for node in tree.find_all(nodes.Getattr):
        if node.attr not in fields and not hasattr(str, node.attr):
            raise TemplateError(
                f"The Word template uses the field '{node.attr}', which the report does not provide"
                f"{source.quote(node.lineno)}. Correct the spelling; the fields are listed under "
                "'The Word report' in the README."
            )
    _refuse_compared_fields(tree, source)
    return frozenset(used)


def _undeclared(node, env, bound: frozenset[str] = frozenset()) -> set[str]:
    """The names the template reads that none of its loops sets (what ``jinja2.meta.find_undeclared_variables``
    gives, for the tags a report may use), refusing an unknown filter or test and a loop that sets ``loop`` as
    Jinja's compiler would: the check reads the parsed tree only, and the one compile is the render's."""
    from jinja2 import nodes
    from jinja2.exceptions import TemplateAssertionError

    if isinstance(node, nodes.For):
        targets = {
            name.name
            for name in (node.target, *node.target.find_all(nodes.Name))
            if isinstance(name, nodes.Name)
        }
        if "loop" in targets:
            raise TemplateAssertionError(
                "Can't assign to special loop variable in for-loop target", node.lineno
            )
        inner = bound | targets | {"loop"}
        used = _undeclared(node.iter, env, bound)
        for child in (*node.body, *([node.test] if node.test else [])):
            used |= _undeclared(child, env, inner)
        for child in node.else_:
            used |= _undeclared(child, env, bound)
        return used
    if isinstance(node, nodes.Name):
        return {node.name} if node.ctx == "load" and node.name not in bound else set()
    if isinstance(node, (nodes.Filter, nodes.Test)):
        kind, known = (
            ("filter", env.filters) if isinstance(node, nodes.Filter) else ("test", env.tests)
        )
        if node.name not in known:
            raise TemplateAssertionError(f"No {kind} named {node.name!r}.", node.lineno)
    used: set[str] = set()
    for child in node.iter_child_nodes():
        used |= _undeclared(child, env, bound)
    return used


def _refuse_compared_fields(tree, source: Source) -> None:
    """Refuse a loop body over a streamed list (report_builder.stream) that does more with an item's text field than
    show it or test whether it is filled in (the rating fields excepted): streaming could not render it right."""
    from jinja2 import nodes

    def path_of(expr, scope: dict[str, str]) -> str | None:
        if isinstance(expr, nodes.Name):
            return scope.get(expr.name, expr.name)
        if isinstance(expr, nodes.Getattr):
            base = path_of(expr.node, scope)
            return f"{base}.{expr.attr}" if base else None
        return None

    def walk(node, scope: dict[str, str], shown: bool) -> None:
        if isinstance(node, nodes.For):
            walk(node.iter, scope, True)
            inner = dict(scope)
            path = path_of(node.iter, scope)
            if path is not None and isinstance(node.target, nodes.Name):
                inner[node.target.name] = path
                used = {n.name for child in node.body for n in child.find_all(nodes.Name)}
                if path in STREAMED and node.target.name not in used:
                    raise TemplateError(
                        f"The Word template repeats a part for each item of '{path}' without showing anything "
                        f"of the item{source.quote(node.lineno)}: show one of its fields in the loop, e.g. "
                        f"{{{{ {node.target.name}.ref }}}}."
                    )
            for child in (*node.body, *(node.test and [node.test] or [])):
                walk(child, inner, False)
            for child in node.else_:
                walk(child, scope, False)
            return
        item = None
        if isinstance(node, nodes.Name) and scope.get(node.name) in STREAMED:
            item, field = node.name, ""
        elif (
            isinstance(node, nodes.Getattr)
            and isinstance(node.node, nodes.Name)
            and scope.get(node.node.name) in STREAMED
        ):
            item, field = node.node.name, node.attr
        if item is not None and not shown and field not in SHAPING:
            raise TemplateError(
                f"The Word template does more with '{item}{'.' + field if field else ''}' than show it or test "
                f"whether it is filled in{source.quote(node.lineno)}: in a loop over '{scope[item]}' an item's "
                "text may be shown, tested with {% if %} or compared only in its rating fields (rag, fill, "
                "rag_name). Show the field as it is."
            )
        if isinstance(node, nodes.Output):
            children, keep = node.nodes, True
        elif isinstance(node, (nodes.If, nodes.CondExpr)):
            for child in node.iter_child_nodes():
                walk(
                    child, scope, child is node.test or (shown and isinstance(node, nodes.CondExpr))
                )
            return
        elif isinstance(node, (nodes.And, nodes.Or, nodes.Not, nodes.Getattr)):
            children, keep = (
                list(node.iter_child_nodes()),
                shown or not isinstance(node, (nodes.And, nodes.Or)),
            )
        else:
            children, keep = list(node.iter_child_nodes()), False
        for child in children:
            walk(child, scope, keep)

    walk(tree, {}, False)


def render(tpl, source: Source, context: dict[str, Any], actions: int) -> None:
    """Fill the template in place with docxtpl, within the limits; any failure is a TemplateError quoting the
    paragraph it happened in."""
    env = sandbox(actions)
    try:
        with stop_after(time_limit(actions)):
            tpl.render(context, jinja_env=env, autoescape=True)
    except Exception as exc:  # noqa: BLE001 - whatever a template does wrong, the officer gets a message
        if (
            type(exc).__name__ == "TimeLimitExceeded"
        ):  # a template that loops without end, or a very large plan
            raise TemplateError(
                f"Filling in the report took longer than its time limit of {time_limit(actions):.0f} s (20 s and 5 ms "
                f"per action, for {actions:,} actions){_locate(source, context, exc)}, so it was stopped and nothing "
                "was written. A template whose loops repeat without end stops this way, and so does a very large "
                "plan: see BENCHMARKS.md."
            ) from exc
        raise TemplateError(
            f"The Word template could not be filled in: {_cause(exc)}"
            f"{_locate(source, context, exc)}. Check the template's tags; the placeholders are "
            "listed under 'The Word report' in the README."
        ) from exc


def _locate(source: Source, context: dict[str, Any], failure: Exception) -> str:
    """Render the paragraph source with the same values and tighter limits: the line that fails is quoted."""
    from jinja2 import TemplateSyntaxError

    if isinstance(failure, TemplateSyntaxError):
        return source.quote(None) or (
            f", near '{' '.join(getattr(failure, 'docx_context', []))[:200]}'"
            if getattr(failure, "docx_context", None)
            else ""
        )
    env = sandbox(0)
    try:
        with stop_after(2.0):
            env.from_string(source.text).render(context)
    except Exception as exc:  # noqa: BLE001
        tb, line = exc.__traceback__, None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<template>":
                line = tb.tb_lineno
            tb = tb.tb_next
        return source.quote(line)
    return ""


def _cause(exc: Exception) -> str:
    from jinja2.exceptions import SecurityError, UndefinedError

    if isinstance(exc, SecurityError):
        return f"it tries something a report template may not do ({_sentence(exc)})"
    if isinstance(exc, UndefinedError):
        return f"it uses something the report does not provide ({_sentence(exc)})"
    if isinstance(exc, LimitExceeded):
        return (
            "it took longer than the time limit"
            if type(exc).__name__ == "TimeLimitExceeded"
            else _sentence(exc)
        )
    if isinstance(exc, RecursionError):
        return "it repeats itself without end"
    return f"{_sentence(exc) or type(exc).__name__} ({type(exc).__name__})"


def _sentence(exc: Exception) -> str:
    """An exception's message without its closing full stop, to sit inside our own sentence."""
    return str(getattr(exc, "message", None) or exc).strip().rstrip(".")
