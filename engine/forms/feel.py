"""Parse and evaluate the FEEL subset that form-js writes into `conditional.hide`.

Supported: number, string, boolean and null literals, list literals, names and dotted paths,
`= != < <= > >=`, `in` against a list, `+ - * /`, `and`, `or`, parentheses and a few built-in
functions (`not`, `list contains`, `contains`, `starts with`, `ends with`, `string length`,
`upper case`, `lower case`, `count`, `is empty`, `is defined`).
Anything else is a syntax error, which the deploy step reports. Nothing here calls eval().

Evaluation follows FEEL's three-valued logic: a comparison of mismatched types, a missing
name or a failed operation gives null, and only a result of exactly `true` counts as true.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.forms.feel_operators import (
    COMPARISONS,
    FUNCTIONS,
    Evaluator,
    add,
    binary,
    call,
    divide,
    logical,
    member,
    member_access,
    multiply,
    negate,
    subtract,
)
from engine.i18n import gettext as _
from engine.i18n import ngettext


class FeelSyntaxError(ValueError):
    """An expression outside the supported subset, with a message in the current locale."""


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<function>(?:list\s+contains|string\s+length|starts\s+with|ends\s+with|upper\s+case
                  |lower\s+case|is\s+empty|is\s+defined|contains|count|not)(?=\s*\())
  | (?P<name>[^\W\d]\w*)
  | (?P<op><=|>=|!=|[=<>+\-*/(),.\[\]])
""", re.VERBOSE)
_KEYWORDS = {"and", "or", "in", "true", "false", "null"}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, function, name, keyword, op or end
    text: str
    position: int


def _tokenize(source: str, offset: int) -> list[_Token]:
    """Split `source` into tokens; positions are 1-based and shifted by `offset` characters."""
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            if source[position] == '"':
                raise FeelSyntaxError(_("the string that starts at position %(position)s has "
                                        "no closing quote", position=offset + position + 1))
            raise FeelSyntaxError(_("unexpected character %(token)s at position %(position)s",
                                    token=source[position], position=offset + position + 1))
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "function":
            text = " ".join(text.split())
        elif kind == "name" and text in _KEYWORDS:
            kind = "keyword"
        if kind != "space":
            tokens.append(_Token(kind, text, offset + position + 1))
        position = match.end()
    tokens.append(_Token("end", "", offset + len(source) + 1))
    return tokens


# --- syntax tree -------------------------------------------------------------------------------

class _Parser:
    """Recursive descent, lowest precedence first: or, and, comparison, sum, product, unary."""

    def __init__(self, source: str, offset: int) -> None:
        self.tokens = _tokenize(source, offset)
        self.index = 0

    def parse(self) -> Evaluator:
        node = self._or()
        token = self._peek()
        if token.kind != "end":
            raise self._unexpected(token)
        return node

    def _peek(self) -> _Token:
        return self.tokens[self.index]

    def _next(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _accept(self, kind: str, text: str | None = None) -> bool:
        token = self._peek()
        if token.kind == kind and (text is None or token.text == text):
            self.index += 1
            return True
        return False

    def _expect(self, text: str) -> None:
        token = self._next()
        if token.text != text or token.kind not in ("op", "keyword"):
            raise self._unexpected(token, expected=text)

    def _unexpected(self, token: _Token, expected: str | None = None) -> FeelSyntaxError:
        if token.kind == "end":
            return FeelSyntaxError(_("the expression ends too early"))
        if expected:
            return FeelSyntaxError(_("expected %(expected)s but found %(token)s at position "
                                     "%(position)s", expected=expected, token=token.text,
                                     position=token.position))
        return FeelSyntaxError(_("unexpected %(token)s at position %(position)s",
                                 token=token.text, position=token.position))

    def _or(self) -> Evaluator:
        node = self._and()
        while self._accept("keyword", "or"):
            node = logical(node, self._and(), is_and=False)
        return node

    def _and(self) -> Evaluator:
        node = self._comparison()
        while self._accept("keyword", "and"):
            node = logical(node, self._comparison(), is_and=True)
        return node

    def _comparison(self) -> Evaluator:
        node = self._sum()
        token = self._peek()
        if token.kind == "op" and token.text in COMPARISONS:
            self._next()
            return binary(COMPARISONS[token.text], node, self._sum())
        if self._accept("keyword", "in"):
            return binary(member, node, self._sum())
        return node

    def _sum(self) -> Evaluator:
        node = self._product()
        while self._peek().kind == "op" and self._peek().text in ("+", "-"):
            operator = add if self._next().text == "+" else subtract
            node = binary(operator, node, self._product())
        return node

    def _product(self) -> Evaluator:
        node = self._unary()
        while self._peek().kind == "op" and self._peek().text in ("*", "/"):
            operator = multiply if self._next().text == "*" else divide
            node = binary(operator, node, self._unary())
        return node

    def _unary(self) -> Evaluator:
        if self._accept("op", "-"):
            operand = self._unary()
            return lambda scope: negate(operand(scope))
        return self._path()

    def _path(self) -> Evaluator:
        node = self._primary()
        while self._accept("op", "."):
            token = self._next()
            if token.kind not in ("name", "keyword"):
                raise self._unexpected(token, expected=_("a name"))
            node = member_access(node, token.text)
        return node

    def _primary(self) -> Evaluator:
        token = self._next()
        if token.kind == "number":
            number = Decimal(token.text)
            return lambda scope: number
        if token.kind == "string":
            text = _unquote(token)
            return lambda scope: text
        if token.kind == "keyword" and token.text in ("true", "false", "null"):
            constant = {"true": True, "false": False, "null": None}[token.text]
            return lambda scope: constant
        if token.kind == "name":
            name = token.text
            if self._peek().text == "(":
                raise FeelSyntaxError(_("the function %(name)s is not supported", name=name))
            return lambda scope: scope.get(name)
        if token.kind == "function":
            return self._call(token.text)
        if token.kind == "op" and token.text == "(":
            node = self._or()
            self._expect(")")
            return node
        if token.kind == "op" and token.text == "[":
            return self._list()
        raise self._unexpected(token)

    def _list(self) -> Evaluator:
        items: list[Evaluator] = []
        if not self._accept("op", "]"):
            items.append(self._or())
            while self._accept("op", ","):
                items.append(self._or())
            self._expect("]")
        return lambda scope: [item(scope) for item in items]

    def _call(self, name: str) -> Evaluator:
        function, arity = FUNCTIONS[name]
        self._expect("(")
        arguments: list[Evaluator] = []
        if not self._accept("op", ")"):
            arguments.append(self._or())
            while self._accept("op", ","):
                arguments.append(self._or())
            self._expect(")")
        if len(arguments) != arity:
            raise FeelSyntaxError(ngettext("the function %(name)s takes %(num)s argument",
                                           "the function %(name)s takes %(num)s arguments",
                                           arity, name=name))
        return lambda scope: call(function, [argument(scope) for argument in arguments])


def _unquote(token: _Token) -> str:
    body = token.text[1:-1]

    def replace(match: re.Match[str]) -> str:
        escaped = match.group(1)
        if escaped not in _ESCAPES:
            raise FeelSyntaxError(_("unknown escape \\%(char)s in the string at position "
                                    "%(position)s", char=escaped, position=token.position))
        return _ESCAPES[escaped]

    return re.sub(r"\\(.)", replace, body)


# --- public interface --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Condition:
    """A parsed `=...` expression; `source` keeps the text as written in the form."""

    source: str
    _evaluate: Evaluator

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        return self._evaluate(scope)

    def is_true(self, scope: Mapping[str, Any]) -> bool:
        """Return True only when the expression gives exactly `true`; null counts as false."""
        return self._evaluate(scope) is True


def parse_condition(source: str) -> Condition:
    """Parse a form-js condition such as `=kind = "personvern"`; raise FeelSyntaxError."""
    start = len(source) - len(source.lstrip())
    if not source.startswith("=", start):
        raise FeelSyntaxError(_('a condition must start with =, for example =status = "ny"'))
    return Condition(source, _Parser(source[start + 1:], offset=start + 1).parse())
