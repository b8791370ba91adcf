"""A small, safe arithmetic language for scoring rules: ``(b/a)*1 + (c/a)*0.5``.

Numbers, named figures, ``+ - * /`` (also ``− × ÷``), parentheses, ``min(…)`` and ``max(…)``.
Parsed once into a tree (no ``eval``), evaluated exactly in ``Decimal``. Division by zero raises
:class:`DivisionByZero` naming the divisor, so the caller can report it as a problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from cchc_cli.model.decimals import localize, plain

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(.))")
_OPERATORS = {"+": "+", "-": "-", "\u2212": "-", "*": "*", "\u00d7": "*", "/": "/",
              "\u00f7": "/", "(": "(", ")": ")", ",": ","}
FUNCTIONS = ("min", "max")


class ExprError(ValueError):
    """The text is not an expression of this language; the message says where."""


class DivisionByZero(ArithmeticError):
    def __init__(self, divisor: Node):
        super().__init__(divisor.text())
        self.divisor = divisor


class Node:
    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        raise NotImplementedError

    def names(self) -> set[str]:
        return set()

    def text(self, show: Callable[[str], str] | None = None, lang: str = "en") -> str:
        """The expression written out; ``show`` turns each figure's name into what to print
        in its place (its value, for the working)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Number(Node):
    value: Decimal

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        return self.value

    def text(self, show: Callable[[str], str] | None = None, lang: str = "en") -> str:
        return localize(plain(self.value), lang)


@dataclass(frozen=True)
class Name(Node):
    name: str

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        return values[self.name]

    def names(self) -> set[str]:
        return {self.name}

    def text(self, show: Callable[[str], str] | None = None, lang: str = "en") -> str:
        return show(self.name) if show else self.name


@dataclass(frozen=True)
class Negate(Node):
    operand: Node

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        return -self.operand.evaluate(values)

    def names(self) -> set[str]:
        return self.operand.names()

    def text(self, show: Callable[[str], str] | None = None, lang: str = "en") -> str:
        inner = self.operand.text(show, lang)
        return f"−({inner})" if isinstance(self.operand, Binary) else f"−{inner}"


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_SHOWN = {"+": "+", "-": "−", "*": "×", "/": "/"}


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        a, b = self.left.evaluate(values), self.right.evaluate(values)
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        if b == 0:
            raise DivisionByZero(self.right)
        return a / b

    def names(self) -> set[str]:
        return self.left.names() | self.right.names()

    def text(self, show: Callable[[str], str] | None = None, lang: str = "en") -> str:
        def side(node: Node, right: bool) -> str:
            inner = node.text(show, lang)
            if isinstance(node, Binary) and (
                    _PRECEDENCE[node.op] < _PRECEDENCE[self.op]
                    or (right and _PRECEDENCE[node.op] == _PRECEDENCE[self.op]
                        and self.op in "-/")):
                return f"({inner})"
            return inner

        joint = "/" if self.op == "/" else f" {_SHOWN[self.op]} "
        return f"{side(self.left, False)}{joint}{side(self.right, True)}"


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        evaluated = [a.evaluate(values) for a in self.args]
        return min(evaluated) if self.function == "min" else max(evaluated)

    def names(self) -> set[str]:
        return set().union(*(a.names() for a in self.args))

    def text(self, show: Callable[[str], str] | None = None, lang: str = "en") -> str:
        sep = "; " if lang == "vi" else ", "  # "min(1; 3)": the comma is the decimal sign
        return f"{self.function}({sep.join(a.text(show, lang) for a in self.args)})"


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, token, position) with kind one of number, name, op."""
    out = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing blanks can fail to match
            break
        number, name, other = m.groups()
        start = m.start(m.lastindex or 0)
        if number:
            out.append(("number", number, start))
        elif name:
            out.append(("name", name, start))
        elif other in _OPERATORS:
            out.append(("op", _OPERATORS[other], start))
        else:
            raise ExprError(f"ký tự không hợp lệ {other!r} ở vị trí {start + 1} / "
                            f"invalid character {other!r} at position {start + 1}")
        pos = m.end()
    return out


class _Parser:
    """Recursive descent over the tokens. Each rule returns its node and the node's height
    (levels down to the deepest leaf), so a tree deeper than ``MAX_DEPTH`` is refused while it
    is built: evaluating or printing it recurses once per level."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0
        self.open = 0  # parentheses (and calls) entered and not yet closed

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, token: str | None = None) -> tuple[str, str, int]:
        current = self.peek()
        if current is None:
            want = f"{token!r}" if token else "một số hoặc tên / a number or a name"
            raise ExprError(f"biểu thức dừng giữa chừng, thiếu {want} / "
                            f"the expression ends early, {want} expected")
        if token is not None and current[1] != token:
            raise ExprError(f"cần {token!r} ở vị trí {current[2] + 1}, gặp {current[1]!r} / "
                            f"{token!r} expected at position {current[2] + 1}, "
                            f"found {current[1]!r}")
        self.i += 1
        return current

    def parse(self) -> Node:
        if not self.tokens:
            raise ExprError("biểu thức rỗng / empty expression")
        node, _ = self.sum()
        rest = self.peek()
        if rest is not None:
            raise ExprError(f"thừa {rest[1]!r} ở vị trí {rest[2] + 1} / "
                            f"unexpected {rest[1]!r} at position {rest[2] + 1}")
        return node

    def sum(self) -> tuple[Node, int]:
        return self._chain("+-", self.product)

    def product(self) -> tuple[Node, int]:
        return self._chain("*/", self.unary)

    def _chain(self, ops: str, operand: Callable[[], tuple[Node, int]]) -> tuple[Node, int]:
        """``operand (op operand)*`` for the operators ``ops``, grouped from the left."""
        node, height = operand()
        while (t := self.peek()) and t[0] == "op" and t[1] in ops:
            self.take()
            right, right_height = operand()
            node, height = Binary(t[1], node, right), _level(max(height, right_height) + 1)
        return node, height

    def unary(self) -> tuple[Node, int]:
        minus = 0
        while (t := self.peek()) and t[0] == "op" and t[1] in "+-":  # a loop: "----a" is flat
            self.take()
            minus += t[1] == "-"
        node, height = self.atom()
        for _ in range(minus):
            node, height = Negate(node), _level(height + 1)
        return node, height

    def atom(self) -> tuple[Node, int]:
        kind, token, pos = self.take()
        if kind == "number":
            return Number(Decimal(token)), 1
        if kind == "name":
            nxt = self.peek()
            if nxt and nxt[1] == "(":
                if token not in FUNCTIONS:
                    raise ExprError(f"hàm {token!r} không có (chỉ min, max) / "
                                    f"no function {token!r} (only min, max)")
                self._enter()
                self.take("(")
                args = [self.sum()]
                while (t := self.peek()) and t[1] == ",":
                    self.take(",")
                    args.append(self.sum())
                self.take(")")
                self.open -= 1
                return (Call(token, tuple(node for node, _ in args)),
                        _level(max(height for _, height in args) + 1))
            if token in FUNCTIONS:
                raise ExprError(f"{token} cần đối số trong ngoặc / {token} needs (arguments)")
            return Name(token), 1
        if token == "(":
            self._enter()
            inner = self.sum()
            self.take(")")
            self.open -= 1
            return inner
        raise ExprError(f"không mong đợi {token!r} ở vị trí {pos + 1} / "
                        f"unexpected {token!r} at position {pos + 1}")

    def _enter(self) -> None:
        """One parenthesis deeper; the parser recurses once per parenthesis."""
        self.open += 1
        _level(self.open)


MAX_LENGTH = 500  # a rule is a line of arithmetic, not a program
MAX_DEPTH = 64  # levels of the tree, and of parentheses; a real rule has fewer than 6


def _level(height: int) -> int:
    if height > MAX_DEPTH:
        raise ExprError(f"biểu thức lồng nhau quá {MAX_DEPTH} cấp / "
                        f"nested deeper than {MAX_DEPTH} levels")
    return height


def parse(text: str) -> Node:
    """Parse an expression; raises :class:`ExprError` with the position of the fault."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"biểu thức dài quá {MAX_LENGTH} ký tự / longer than {MAX_LENGTH} "
                        f"characters")
    return _Parser(text).parse()


def show_values(values: Mapping[str, Decimal], lang: str) -> Callable[[str], str]:
    """For :meth:`Node.text`: each name replaced by its value, as the reader writes numbers."""
    return lambda name: localize(plain(values[name]), lang) if name in values else name
