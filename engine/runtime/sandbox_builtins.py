"""The builtins available to a sandboxed script: a small allow-list plus now() and today().

open, eval, exec, compile, getattr, type, vars, globals and the other ways out of the
sandbox are simply absent. range(), round(), sum() and Decimal() are wrapped so that a small
call cannot allocate without bound.
"""

from __future__ import annotations

import _strptime
import decimal
import time as time_module
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from engine.runtime import sandbox_guards as guards
from engine.runtime.sandbox_codec import MAX_DECIMAL_EXPONENT, checked_decimal
from engine.runtime.sandbox_transform import (
    GUARD_BINARY,
    GUARD_CAUGHT,
    GUARD_GETATTR,
    GUARD_INPLACE,
    GUARD_ITER,
    GUARD_SIZED,
    GUARD_TICK,
    GUARD_UNPACK,
)

LOCAL_ZONE = ZoneInfo("Europe/Oslo")

# Modules that C code inside datetime imports while a script runs: strftime calls
# time.strftime and strptime calls _strptime. CPython looks `__import__` up in the builtins
# of the running script, so the script's builtins need one that returns just these two.
IMPORTABLE_MODULES: dict[str, ModuleType] = {"time": time_module, "_strptime": _strptime}


class _Clock:
    """The engine's time for the current run; scripts never see the real clock."""

    def __init__(self) -> None:
        self.moment: datetime | None = None


_clock = _Clock()


def set_now(moment: datetime) -> None:
    _clock.moment = moment


def now() -> datetime:
    """Return the engine's current time as an aware UTC datetime."""
    if _clock.moment is None:
        raise RuntimeError("now() is not available outside a sandbox run")
    return _clock.moment


def today() -> date:
    """Return the engine's current date in Europe/Oslo."""
    return now().astimezone(LOCAL_ZONE).date()


def safe_range(*args: int) -> range:
    values = range(*args)
    try:
        length = len(values)
    except OverflowError:
        length = guards.MAX_SEQUENCE_LENGTH + 1
    if length > guards.MAX_SEQUENCE_LENGTH:
        raise guards.halt("forbidden", f"range() is limited to {guards.MAX_SEQUENCE_LENGTH} items")
    return values


def safe_round(number: Any, ndigits: int | None = None) -> Any:
    if ndigits is None:
        return round(number)
    if isinstance(ndigits, int) and abs(ndigits) > guards.MAX_ROUND_DIGITS:
        raise ValueError(f"round() accepts at most {guards.MAX_ROUND_DIGITS} digits")
    return round(number, ndigits)


def safe_sum(iterable: Any, start: Any = 0) -> Any:
    if isinstance(start, (str, bytes, list, tuple)):
        raise TypeError("sum() can only add numbers, durations and Decimals")
    return sum(iterable, start)


def decimal_context() -> decimal.Context:
    """Return the Decimal context for scripts: 28 digits, exponents within the codec's range."""
    return decimal.Context(
        prec=28, Emax=MAX_DECIMAL_EXPONENT, Emin=-MAX_DECIMAL_EXPONENT,
        traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
    )


def safe_decimal(value: Any = "0") -> Decimal:
    return checked_decimal(Decimal(value))


def ignore_print(*args: Any, **kwargs: Any) -> None:
    """Accept print() calls in scripts and discard the output."""


def _import_loaded(name: str, globals: Any = None, locals: Any = None,
                   fromlist: Any = (), level: int = 0) -> ModuleType:
    module = IMPORTABLE_MODULES.get(name) if level == 0 else None
    if module is None:
        raise ImportError(f"import of {name!r} is not allowed")
    return module


_EXCEPTIONS: tuple[type[BaseException], ...] = (
    Exception, ArithmeticError, AssertionError, IndexError, KeyError, LookupError,
    OverflowError, RuntimeError, TypeError, ValueError, ZeroDivisionError,
)


def build_builtins() -> dict[str, Any]:
    """Return the `__builtins__` mapping for a script's globals."""
    names: dict[str, Any] = {
        "len": len, "min": min, "max": max, "sum": safe_sum, "abs": abs, "round": safe_round,
        "sorted": sorted, "reversed": reversed, "enumerate": enumerate, "zip": zip,
        "range": safe_range, "any": any, "all": all, "divmod": divmod, "repr": repr,
        "str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict,
        "set": set, "tuple": tuple, "print": ignore_print,
        "date": date, "datetime": datetime, "time": time, "timedelta": timedelta,
        "Decimal": safe_decimal, "now": now, "today": today,
        "True": True, "False": False, "None": None,
    }
    names.update({error.__name__: error for error in _EXCEPTIONS})

    # Names a script cannot write, because identifiers starting with "_" are rejected. The
    # syntax transform in sandbox_transform calls these.
    names.update({
        "__import__": _import_loaded,
        GUARD_GETATTR: guards.guarded_getattr,
        GUARD_BINARY: guards.binary,
        GUARD_INPLACE: guards.inplace,
        GUARD_ITER: guards.guarded_iter,
        GUARD_TICK: guards.tick,
        GUARD_UNPACK: guards.guarded_unpack,
        GUARD_SIZED: guards.guarded_sized,
        GUARD_CAUGHT: guards.caught,
    })
    return names
