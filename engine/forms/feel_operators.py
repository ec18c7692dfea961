"""Operators and built-in functions of the FEEL subset, with FEEL's null semantics.

A comparison of mismatched types, a missing name or a failed operation gives null (None)
instead of raising, because form-js treats a condition it cannot evaluate as false.
Numbers are compared and computed as Decimal, so 0.1 + 0.2 = 0.3 holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

Evaluator = Callable[[Mapping[str, Any]], Any]


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


COMPARISONS: dict[str, Callable[[Any, Any], bool | None]] = {
    "=": _equal,
    "!=": _not_equal,
    "<": _ordering(lambda a, b: a < b),
    "<=": _ordering(lambda a, b: a <= b),
    ">": _ordering(lambda a, b: a > b),
    ">=": _ordering(lambda a, b: a >= b),
}


def member(value: Any, collection: Any) -> bool | None:
    if not isinstance(collection, list):
        return None
    return any(_equal(value, item) is True for item in collection)


def add(left: Any, right: Any) -> Any:
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    return _arithmetic(left, right, lambda a, b: a + b)


def subtract(left: Any, right: Any) -> Any:
    return _arithmetic(left, right, lambda a, b: a - b)


def multiply(left: Any, right: Any) -> Any:
    return _arithmetic(left, right, lambda a, b: a * b)


def divide(left: Any, right: Any) -> Any:
    return _arithmetic(left, right, lambda a, b: a / b if b != 0 else None)


def _arithmetic(left: Any, right: Any, operation: Callable[[Decimal, Decimal], Any]) -> Any:
    left_number, right_number = _number(left), _number(right)
    if left_number is None or right_number is None:
        return None
    return operation(left_number, right_number)


def negate(value: Any) -> Decimal | None:
    number = _number(value)
    return None if number is None else -number


def binary(operator: Callable[[Any, Any], Any], left: Evaluator, right: Evaluator) -> Evaluator:
    return lambda scope: call(operator, [left(scope), right(scope)])


def logical(left: Evaluator, right: Evaluator, *, is_and: bool) -> Evaluator:
    def evaluate(scope: Mapping[str, Any]) -> bool | None:
        values = [left(scope), right(scope)]
        decisive = not is_and
        if any(value is decisive for value in values):
            return decisive
        if all(value is (not decisive) for value in values):
            return not decisive
        return None
    return evaluate


def member_access(target: Evaluator, name: str) -> Evaluator:
    def evaluate(scope: Mapping[str, Any]) -> Any:
        value = target(scope)
        if isinstance(value, Mapping):
            return value.get(name)
        if isinstance(value, list):
            return [item.get(name) if isinstance(item, Mapping) else None for item in value]
        return None
    return evaluate


def call(function: Callable[..., Any], arguments: Sequence[Any]) -> Any:
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


FUNCTIONS: dict[str, tuple[Callable[..., Any], int]] = {
    "not": (lambda value: (not value) if isinstance(value, bool) else None, 1),
    "list contains": (_lists(lambda items, value: member(value, items)), 2),
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
