"""YAML read with the line of every value, so a mistake can be pointed at, and read within
limits, so a hostile or careless file is refused with a problem instead of taking the process
down.

Plain Python data is built straight from PyYAML's event stream, in one pass and without
recursion, keeping a map from each value's path (``("fields", 2, "max")``) to its 1-based line.
(``yaml.compose`` is not used: it recurses once per level, and the pure-Python one dies of
RecursionError near 1,000 levels. The parsers under it, libyaml or PyYAML's own, are state
machines, so events can be read at any depth and the limits below apply as they come.)
Choices that differ from ``yaml.safe_load`` on purpose:

* floats become ``Decimal`` from the text as written (``0.1`` stays 0.1 exactly);
* a ``code`` (and each entry of ``replaces``) is kept as the text written, so ``code: 1.10``
  is "1.10", not the number 1.1. Duplicate keys are reported, not silently overwritten;
* an alias (``*a``) shares the value of its anchor rather than copying it, and counts as
  every value that anchor holds.

The limits (a shipped criteria set is 22 KB, 1,360 values and 13 levels deep):

* ``MAX_BYTES``: a longer text is refused before it is parsed;
* ``MAX_VALUES``: values built, an alias counting all the values it repeats (nine levels of
  nine aliases in 600 bytes stand for 387 million values);
* ``MAX_DEPTH``: levels of nesting, through aliases too (``[[[[…`` 100,000 deep);
* numbers: finite, at most ``MAX_MAGNITUDE`` in absolute value, at most ``MAX_DECIMALS``
  decimal places and ``MAX_NUMBER_TEXT`` characters as written. A sum of ``MAX_VALUES`` such
  numbers has at most 18 + 10 digits, so it is exact even in Python's default 28-digit
  context (and ``int()`` never meets a 5,000-digit integer).

Passing one of the first three, or an alias inside its own anchor, stops reading at once with
a :class:`CchcError` naming the line. A key that is not a plain value, a number out of range
and a value that cannot be built are problems with their line in :attr:`YamlDoc.problems`
(their value reads as ``None``); reading goes on, so every one of them is reported at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NoReturn

from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.text import clean_code

if TYPE_CHECKING:
    import yaml

Path = tuple[str | int, ...]

MAX_BYTES = 2 * 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64
MAX_MAGNITUDE_DIGITS = 12
MAX_MAGNITUDE = Decimal(10) ** MAX_MAGNITUDE_DIGITS
MAX_DECIMALS = 10
MAX_NUMBER_TEXT = 40

TOO_LARGE = Problem("criteria-too-large", params={"limit": f"{MAX_BYTES // 2**20} MiB"})

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_STR_TAG = "tag:yaml.org,2002:str"
_RAW_TEXT_KEYS = {"code", "replaces"}
# text that pydantic would take for a Decimal: it must meet the limits of a YAML number
_DECIMAL_TEXT = re.compile(r"\s*[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?\s*")


@dataclass
class YamlDoc:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # without a file: the caller adds it

    def line_of(self, path: Path) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def format_path(path: Path) -> str:
    """``("fields", 2, "criteria", 0, "max")`` → ``fields[2].criteria[0].max``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_yaml(text: str) -> YamlDoc:
    """Parse ``text``; raises ``yaml.YAMLError`` (with its mark) on a syntax error and
    :class:`CchcError` when the text passes one of the limits."""
    import yaml  # only when a YAML file is actually read

    if len(text) > MAX_BYTES:  # before encoding a text that may be huge
        raise CchcError([TOO_LARGE])
    # a lone surrogate passes as bytes the parser refuses with its position, not as a crash
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BYTES:
        raise CchcError([TOO_LARGE])
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(data)
    try:
        return _Builder(loader).run()
    finally:
        loader.dispose()


@dataclass
class _Open:
    """A mapping or sequence whose events are still coming."""

    data: dict[Any, Any] | list[Any]
    path: Path
    line: int
    raw: bool  # its scalars are kept as written (under `code`, `replaces`)
    noted: bool  # its lines are noted (not so for a key, or the value of a refused key)
    anchor: str | None
    values_before: int  # the count when it opened: its own size is the difference
    height: int = 1  # its levels, itself included, so an alias to it can be weighed
    key: Any = None  # a mapping's key, waiting for its value
    key_line: int = 0
    has_key: bool = False
    key_ok: bool = True


@dataclass(frozen=True)
class _Anchor:
    value: Any
    text: str | None  # a scalar's text as written, for an alias under `code`
    values: int
    height: int


class _Builder:
    """Plain data from the events of one document, within the limits."""

    def __init__(self, loader: Any):
        self.loader = loader
        self.doc = YamlDoc(data=None)
        self.stack: list[_Open] = []
        self.anchors: dict[str, _Anchor] = {}
        self.values = 0

    def run(self) -> YamlDoc:
        import yaml

        documents = 0
        while not isinstance(event := self.loader.get_event(), yaml.StreamEndEvent):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self._syntax("expected a single document in the stream, but found "
                                 "another document", event)
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.ScalarEvent):
                self._claim(event)
                line = self._count(event)
                value = self._scalar(event, line)
                if event.anchor is not None:
                    self.anchors[event.anchor] = _Anchor(value, event.value, 1, 1)
                self._place(value, 1, line)
            elif isinstance(event, yaml.CollectionStartEvent):
                self._claim(event)
                values_before = self.values
                line = self._count(event)
                path, raw, noted = self._slot()
                data: dict[Any, Any] | list[Any] = \
                    {} if isinstance(event, yaml.MappingStartEvent) else []
                self.stack.append(_Open(data, path, line, raw, noted, event.anchor,
                                        values_before))
            elif isinstance(event, yaml.CollectionEndEvent):
                done = self.stack.pop()
                if done.anchor is not None:
                    self.anchors[done.anchor] = _Anchor(
                        done.data, None, self.values - done.values_before, done.height)
                self._place(done.data, done.height, done.line)
        return self.doc

    # -- where a value goes ------------------------------------------------------------------
    def _slot(self) -> tuple[Path, bool, bool]:
        """The path of the next value, whether its scalars are kept as written, and whether
        its line is noted (a key, or the value of a refused key, is named by its mapping)."""
        if not self.stack:
            return (), False, True
        top = self.stack[-1]
        if isinstance(top.data, list):
            return top.path + (len(top.data),), top.raw, top.noted
        if not top.has_key or not top.key_ok:
            return top.path, False, False
        return top.path + (top.key,), top.key in _RAW_TEXT_KEYS, top.noted

    def _place(self, value: Any, height: int, line: int) -> None:
        """Put a finished value (which starts on ``line``) where it belongs."""
        if not self.stack:
            self.doc.data = value
            return
        top = self.stack[-1]
        top.height = max(top.height, height + 1)
        if isinstance(top.data, list):
            top.data.append(value)
        elif not top.has_key:
            self._take_key(top, value, line)
        else:
            if top.key_ok:
                top.data[top.key] = value
                if top.noted:
                    self.doc.lines[top.path + (top.key,)] = top.key_line
            top.has_key = False

    def _take_key(self, top: _Open, key: Any, line: int) -> None:
        top.has_key, top.key_line, top.key = True, line, key
        top.key_ok = not isinstance(key, list | dict)
        if top.key_ok:
            try:
                hash(key)
            except TypeError:
                top.key_ok = False
        if not top.key_ok:
            self._problem("criteria-key-not-scalar", line, top.path)
        elif key in top.data:
            self.doc.problems.append(Problem("criteria-duplicate-key", line=line,
                                             path=format_path(top.path + (key,)),
                                             params={"key": key}))

    # -- counting and anchors ----------------------------------------------------------------
    def _count(self, event: yaml.Event, values: int = 1, height: int = 1) -> int:
        """Count ``values`` more, ``height`` levels below the open ones, stopping past a
        limit; notes the event's line as its value's and returns it."""
        line = event.start_mark.line + 1
        self.values += values
        if self.values > MAX_VALUES:
            self._stop("criteria-too-many-values", line, limit=MAX_VALUES)
        if len(self.stack) + height > MAX_DEPTH:
            self._stop("criteria-too-deep", line, limit=MAX_DEPTH)
        path, _, noted = self._slot()
        if noted:
            self.doc.lines[path] = line
        return line

    def _claim(self, event: yaml.NodeEvent) -> None:
        """An anchor is defined once (as ``yaml.compose`` requires)."""
        name = event.anchor
        if name is not None and (name in self.anchors
                                 or any(o.anchor == name for o in self.stack)):
            self._syntax(f"found duplicate anchor {name!r}", event)

    def _alias(self, event: yaml.AliasEvent) -> None:
        name = event.anchor
        if any(o.anchor == name for o in self.stack):  # the anchor is not finished: it holds
            self._stop("criteria-recursive-alias", event.start_mark.line + 1, alias=name)
        anchor = self.anchors.get(name)
        if anchor is None:
            self._syntax(f"found undefined alias {name!r}", event)
        line = self._count(event, anchor.values, anchor.height)
        raw = self._slot()[1]
        self._place(clean_code(anchor.text) if raw and anchor.text is not None
                    else anchor.value, anchor.height, line)

    # -- scalars -----------------------------------------------------------------------------
    def _scalar(self, event: yaml.ScalarEvent, line: int) -> Any:
        import yaml

        path, raw, _ = self._slot()
        text = event.value
        if raw:
            return clean_code(text)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, text, event.implicit)
        number = tag in (_INT_TAG, _FLOAT_TAG) or (
            tag == _STR_TAG and _DECIMAL_TEXT.fullmatch(text) is not None)
        if number and len(text.strip()) > MAX_NUMBER_TEXT:  # before int() or Decimal() see it
            return self._number_fault(text, line, path)
        value: Any = None
        if tag == _STR_TAG:
            value = text  # as SafeConstructor makes it, without building a node
        elif tag == _FLOAT_TAG:
            try:
                value = Decimal(text.replace("_", ""))
            except InvalidOperation:
                pass  # .inf, .nan, 1:30.5 (base 60): PyYAML's float, below
        if value is None:
            try:
                value = self.loader.construct_object(
                    yaml.ScalarNode(tag, text, event.start_mark, event.end_mark), deep=True)
            except Exception as exc:  # a month 13, an unknown tag, bad base64: all the same
                detail = exc.problem if isinstance(exc, yaml.MarkedYAMLError) and exc.problem \
                    else f"{exc.__class__.__name__}: {exc}"
                self._problem("criteria-bad-value", line, path, value=_short(text),
                              detail=detail)
                return None
        if number and not _in_range(value):
            return self._number_fault(text, line, path)
        return value

    def _number_fault(self, text: str, line: int, path: Path) -> None:
        self._problem("criteria-number-range", line, path, value=_short(text.strip()),
                      max=f"10^{MAX_MAGNITUDE_DIGITS}", decimals=MAX_DECIMALS,
                      length=MAX_NUMBER_TEXT)

    # -- problems ----------------------------------------------------------------------------
    def _problem(self, code: str, line: int, path: Path, **params: Any) -> None:
        self.doc.problems.append(Problem(code, line=line, path=format_path(path) or None,
                                         params=params))

    def _stop(self, code: str, line: int, **params: Any) -> NoReturn:
        path = format_path(self._slot()[0])  # 64 levels deep: the line says where, not this
        raise CchcError([Problem(code, line=line, path=_short(path, 60) or None,
                                 params=params)])

    @staticmethod
    def _syntax(problem: str, event: yaml.Event) -> NoReturn:
        """A fault ``yaml.compose`` would raise, raised as it would."""
        import yaml

        raise yaml.composer.ComposerError(None, None, problem, event.start_mark)


def _in_range(value: Any) -> bool:
    """A number (or a number's text) within the limits: finite, not too large, not too fine."""
    try:
        if isinstance(value, str):
            number = Decimal(value.strip().replace("_", ""))
        elif isinstance(value, float):  # PyYAML's .inf, .nan or base 60
            number = Decimal(repr(value))
        else:
            number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return True  # not a number after all: what it is, is pydantic's to say
    if not number.is_finite() or number.copy_abs() > MAX_MAGNITUDE:
        return False
    _, digits, exponent = number.as_tuple()
    places = -int(exponent)
    for digit in reversed(digits):  # 0.50 has one decimal place
        if digit or places <= 0:
            break
        places -= 1
    return places <= MAX_DECIMALS


def _short(text: str, keep: int = 24) -> str:
    """A value to quote in a message: a long one is cut."""
    return text if len(text) <= keep else f"{text[:keep]}…"
