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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.i18n import gettext as _
from engine.i18n import ngettext


class FeelSyntaxError(ValueError):
    """An expression outside the supported subset; the message is in the current locale."""


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

Evaluator = Callable[[Mapping[str, Any]], Any]


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
            node = _logical(node, self._and(), is_and=False)
        return node

    def _and(self) -> Evaluator:
        node = self._comparison()
        while self._accept("keyword", "and"):
            node = _logical(node, self._comparison(), is_and=True)
        return node

    def _comparison(self) -> Evaluator:
        node = self._sum()
        token = self._peek()
        if token.kind == "op" and token.text in _COMPARISONS:
            self._next()
            return _binary(_COMPARISONS[token.text], node, self._sum())
        if self._accept("keyword", "in"):
            return _binary(_member, node, self._sum())
        return node

    def _sum(self) -> Evaluator:
        node = self._product()
        while self._peek().kind == "op" and self._peek().text in ("+", "-"):
            operator = _add if self._next().text == "+" else _subtract
            node = _binary(operator, node, self._product())
        return node

    def _product(self) -> Evaluator:
        node = self._unary()
        while self._peek().kind == "op" and self._peek().text in ("*", "/"):
            operator = _multiply if self._next().text == "*" else _divide
            node = _binary(operator, node, self._unary())
        return node

    def _unary(self) -> Evaluator:
        if self._accept("op", "-"):
            operand = self._unary()
            return lambda scope: _negate(operand(scope))
        return self._path()

    def _path(self) -> Evaluator:
        node = self._primary()
        while self._accept("op", "."):
            token = self._next()
            if token.kind not in ("name", "keyword"):
                raise self._unexpected(token, expected=_("a name"))
            node = _member_access(node, token.text)
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
        function, arity = _FUNCTIONS[name]
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
        return lambda scope: _safe(function, [argument(scope) for argument in arguments])


def _unquote(token: _Token) -> str:
    body = token.text[1:-1]

    def replace(match: re.Match[str]) -> str:
        escaped = match.group(1)
        if escaped not in _ESCAPES:
            raise FeelSyntaxError(_("unknown escape \\%(char)s in the string at position "
                                    "%(position)s", char=escaped, position=token.position))
        return _ESCAPES[escaped]

    return re.sub(r"\\(.)", replace, body)


# --- evaluation --------------------------------------------------------------------------------

def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def _equal(left: Any, right: Any) -> bool | None:
    if left is None or right is None:
        return left is None and right is None
    left_number, right_number = _number(left), _number(right)
    if left_number is not None and right_number is not None:
        return left_number == right_number
    if isinstance(left, bool) and isinstance(right, bool):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return False
        return all(_equal(a, b) is True for a, b in zip(left, right, strict=True))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return dict(left) == dict(right)
    return None


def _not_equal(left: Any, right: Any) -> bool | None:
    result = _equal(left, right)
    return None if result is None else not result


def _ordering(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool | None]:
    def compare(left: Any, right: Any) -> bool | None:
        left_number, right_number = _number(left), _number(right)
        if left_number is not None and right_number is not None:
            return test(left_number, right_number)
        if isinstance(left, str) and isinstance(right, str):
            return test(left, right)
        return None
    return compare


_COMPARISONS: dict[str, Callable[[Any, Any], bool | None]] = {
    "=": _equal,
    "!=": _not_equal,
    "<": _ordering(lambda a, b: a < b),
    "<=": _ordering(lambda a, b: a <= b),
    ">": _ordering(lambda a, b: a > b),
    ">=": _ordering(lambda a, b: a >= b),
}


def _member(value: Any, collection: Any) -> bool | None:
    if not isinstance(collection, list):
        return None
    return any(_equal(value, item) is True for item in collection)


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    return _arithmetic(left, right, lambda a, b: a + b)


def _subtract(left: Any, right: Any) -> Any:
    return _arithmetic(left, right, lambda a, b: a - b)


def _multiply(left: Any, right: Any) -> Any:
    return _arithmetic(left, right, lambda a, b: a * b)


def _divide(left: Any, right: Any) -> Any:
    return _arithmetic(left, right, lambda a, b: a / b if b != 0 else None)


def _arithmetic(left: Any, right: Any, operation: Callable[[Decimal, Decimal], Any]) -> Any:
    left_number, right_number = _number(left), _number(right)
    if left_number is None or right_number is None:
        return None
    return operation(left_number, right_number)


def _negate(value: Any) -> Decimal | None:
    number = _number(value)
    return None if number is None else -number


def _binary(operator: Callable[[Any, Any], Any], left: Evaluator, right: Evaluator) -> Evaluator:
    return lambda scope: _safe(operator, [left(scope), right(scope)])


def _logical(left: Evaluator, right: Evaluator, *, is_and: bool) -> Evaluator:
    def evaluate(scope: Mapping[str, Any]) -> bool | None:
        values = [left(scope), right(scope)]
        decisive = not is_and
        if any(value is decisive for value in values):
            return decisive
        if all(value is (not decisive) for value in values):
            return not decisive
        return None
    return evaluate


def _member_access(target: Evaluator, name: str) -> Evaluator:
    def evaluate(scope: Mapping[str, Any]) -> Any:
        value = target(scope)
        if isinstance(value, Mapping):
            return value.get(name)
        if isinstance(value, list):
            return [item.get(name) if isinstance(item, Mapping) else None for item in value]
        return None
    return evaluate


def _safe(function: Callable[..., Any], arguments: Sequence[Any]) -> Any:
    try:
        return function(*arguments)
    except (TypeError, ValueError, ArithmeticError):
        return None


def _strings(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*arguments: Any) -> Any:
        if not all(isinstance(argument, str) for argument in arguments):
            return None
        return function(*arguments)
    return wrapped


def _lists(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(collection: Any, *rest: Any) -> Any:
        return function(collection, *rest) if isinstance(collection, list) else None
    return wrapped


_FUNCTIONS: dict[str, tuple[Callable[..., Any], int]] = {
    "not": (lambda value: (not value) if isinstance(value, bool) else None, 1),
    "list contains": (_lists(lambda items, value: _member(value, items)), 2),
    "contains": (_strings(lambda text, part: part in text), 2),
    "starts with": (_strings(lambda text, part: text.startswith(part)), 2),
    "ends with": (_strings(lambda text, part: text.endswith(part)), 2),
    "string length": (_strings(lambda text: Decimal(len(text))), 1),
    "upper case": (_strings(str.upper), 1),
    "lower case": (_strings(str.lower), 1),
    "count": (_lists(lambda items: Decimal(len(items))), 1),
    "is empty": (_lists(lambda items: not items), 1),
    "is defined": (lambda value: value is not None, 1),
}


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
