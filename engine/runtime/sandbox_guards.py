"""Run-time guards that the worker's syntax transform routes operations through.

These are the second line behind the static rules. They check attribute access against the
type of the actual value, reject operations that would build strings, lists and integers
beyond fixed sizes, and count loop iterations and function calls. Every rejection raises
GuardStop, which derives from BaseException, so a script's `except Exception:` cannot catch
it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from engine.runtime.sandbox_attributes import allowed_attributes

MAX_SEQUENCE_LENGTH = 1_000_000
MAX_INT_BITS = 10_000
MAX_TICKS = 1_000_000
MAX_ROUND_DIGITS = 100
MAX_STRFTIME_CHARS = 200
MAX_STRPTIME_CHARS = 200

_STRFTIME_WIDTH = re.compile(r"%[-_0^#]*\d{4,}")
_SEQUENCES = (str, bytes, list, tuple)


class GuardStop(BaseException):
    """A run-time limit stopped the script; `kind` is "forbidden", "timeout" or "memory"."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class _JobState:
    """Per-run counters. The worker runs one script at a time, so one instance is enough."""

    def __init__(self) -> None:
        self.ticks = 0
        self.stop: GuardStop | None = None


_state = _JobState()


def begin_job() -> None:
    """Reset the counters before a new expression or script runs."""
    _state.ticks = 0
    _state.stop = None


def recorded_stop() -> GuardStop | None:
    """Return the first GuardStop of this run, even if the script later hid it."""
    return _state.stop


def halt(kind: str, reason: str) -> GuardStop:
    stop = GuardStop(kind, reason)
    if _state.stop is None:
        _state.stop = stop
    return stop


def _too_large(what: str) -> GuardStop:
    return halt("forbidden", f"{what} would exceed {MAX_SEQUENCE_LENGTH} items or characters")


def tick() -> None:
    """Count one loop iteration or function call."""
    _state.ticks += 1
    if _state.ticks > MAX_TICKS:
        raise halt("timeout", f"the script ran more than {MAX_TICKS} loop iterations "
                               "and function calls")


def guarded_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        tick()
        yield item


def guarded_unpack(value: Any) -> Any:
    if not hasattr(value, "__len__"):
        return guarded_iter(value)  # an iterator may be endless, so each item counts
    if len(value) > MAX_SEQUENCE_LENGTH:
        raise _too_large("unpacking")
    return value


def guarded_sized(text: str) -> str:
    if len(text) > MAX_SEQUENCE_LENGTH:
        raise _too_large("the f-string")
    return text


def caught(error: BaseException) -> None:
    """Stop the script when it catches an exception that means a resource ran out."""
    if isinstance(error, MemoryError):
        raise halt("memory", "the script ran out of memory") from None
    if isinstance(error, RecursionError):
        raise halt("error", "RecursionError: maximum recursion depth exceeded") from None


# --- operators --------------------------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _check_repeat(sequence: Any, count: Any) -> None:
    if isinstance(sequence, _SEQUENCES) and _is_int(count):
        if count > 0 and len(sequence) * count > MAX_SEQUENCE_LENGTH:
            raise _too_large("repeating a sequence")


def _check_multiply(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise halt("forbidden", f"the product would exceed {MAX_INT_BITS} bits")
    _check_repeat(left, right)
    _check_repeat(right, left)


def _check_add(left: Any, right: Any) -> None:
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        if len(left) + len(right) > MAX_SEQUENCE_LENGTH:
            raise _too_large("concatenation")


def _check_power(base: Any, exponent: Any) -> None:
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
        if base.bit_length() * exponent > MAX_INT_BITS:
            raise halt("forbidden", f"the power would exceed {MAX_INT_BITS} bits")


def _check_shift(value: Any, count: Any) -> None:
    if _is_int(value) and _is_int(count) and value and count > 0:
        if value.bit_length() + count > MAX_INT_BITS:
            raise halt("forbidden", f"the shift would exceed {MAX_INT_BITS} bits")


def _check_modulo(left: Any, right: Any) -> None:
    if isinstance(left, (str, bytes)):
        raise halt("forbidden", "'%' formatting of strings is not allowed, use an f-string")


_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "+": _check_add, "*": _check_multiply, "**": _check_power, "<<": _check_shift,
    "%": _check_modulo,
}
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "<<": operator.lshift,
    ">>": operator.rshift, "&": operator.and_, "|": operator.or_, "^": operator.xor,
    "@": operator.matmul,
}
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.iadd, "-": operator.isub, "*": operator.imul, "/": operator.itruediv,
    "//": operator.ifloordiv, "%": operator.imod, "**": operator.ipow, "<<": operator.ilshift,
    ">>": operator.irshift, "&": operator.iand, "|": operator.ior, "^": operator.ixor,
    "@": operator.imatmul,
}
GUARDED_OPERATORS: frozenset[str] = frozenset(_CHECKS)


def binary(symbol: str, left: Any, right: Any) -> Any:
    _CHECKS[symbol](left, right)
    return _BINARY[symbol](left, right)


def inplace(symbol: str, left: Any, right: Any) -> Any:
    check = _CHECKS.get(symbol)
    if check is not None:
        check(left, right)
    return _INPLACE[symbol](left, right)


# --- attributes --------------------------------------------------------------------------------

def _join(separator: str) -> Callable[[Iterable[Any]], str]:
    def join(iterable: Iterable[Any]) -> str:
        items = list(iterable)
        total = len(separator) * max(len(items) - 1, 0)
        total += sum(len(item) for item in items if isinstance(item, str))
        if total > MAX_SEQUENCE_LENGTH:
            raise _too_large("str.join")
        return separator.join(items)
    return join


def _replace(text: str) -> Callable[..., str]:
    def replace(old: str, new: str, count: int = -1) -> str:
        if isinstance(old, str) and isinstance(new, str) and _is_int(count):
            matches = text.count(old) if old else len(text) + 1
            if count >= 0:
                matches = min(matches, count)
            if len(text) + matches * (len(new) - len(old)) > MAX_SEQUENCE_LENGTH:
                raise _too_large("str.replace")
        return text.replace(old, new, count)
    return replace


def _extend(target: list[Any]) -> Callable[[Iterable[Any]], None]:
    def extend(iterable: Iterable[Any]) -> None:
        items = list(iterable)
        if len(target) + len(items) > MAX_SEQUENCE_LENGTH:
            raise _too_large("list.extend")
        target.extend(items)
    return extend


def _strftime(value: date | time) -> Callable[[str], str]:
    def strftime(template: str) -> str:
        if isinstance(template, str) and (
            len(template) > MAX_STRFTIME_CHARS or _STRFTIME_WIDTH.search(template)
        ):
            raise halt("forbidden", f"strftime formats are limited to {MAX_STRFTIME_CHARS} "
                                     "characters and widths of 3 digits")
        return value.strftime(template)
    return strftime


def _strptime(text: str, template: str) -> datetime:
    for part in (text, template):
        if isinstance(part, str) and len(part) > MAX_STRPTIME_CHARS:
            raise halt("forbidden", f"strptime arguments are limited to "
                                     f"{MAX_STRPTIME_CHARS} characters")
    return datetime.strptime(text, template)


def guarded_getattr(value: Any, name: str) -> Any:
    """Return `value.name` if the type of `value` allows it, with size guards on some methods."""
    if name not in allowed_attributes(value):
        described = value.__name__ if isinstance(value, type) else type(value).__name__
        raise halt("forbidden", f"the attribute '{name}' is not allowed on {described}")

    if isinstance(value, str) and name == "join":
        return _join(value)
    if isinstance(value, str) and name == "replace":
        return _replace(value)
    if isinstance(value, list) and name == "extend":
        return _extend(value)
    if isinstance(value, (date, time)) and name == "strftime":
        return _strftime(value)
    if value is datetime and name == "strptime":
        return _strptime
    return getattr(value, name)
