"""The attribute names a sandboxed script may use, per type of value.

The static checker accepts a name when any type allows it. The worker checks again at run
time against the type of the actual value, so `join` is allowed on a string but not on the
`str` class or on any other object.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

_NUMBER = frozenset({"real", "imag", "conjugate"})

INT_ATTRIBUTES = _NUMBER | {
    "bit_length", "bit_count", "numerator", "denominator", "as_integer_ratio",
}
FLOAT_ATTRIBUTES = _NUMBER | {"is_integer", "as_integer_ratio"}

STR_ATTRIBUTES = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha",
    "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable",
    "isspace", "istitle", "isupper", "join", "lower", "lstrip", "partition", "removeprefix",
    "removesuffix", "replace", "rfind", "rindex", "rpartition", "rsplit", "rstrip", "split",
    "splitlines", "startswith", "strip", "swapcase", "title", "upper",
})
LIST_ATTRIBUTES = frozenset({
    "append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove",
    "reverse", "sort",
})
TUPLE_ATTRIBUTES = frozenset({"count", "index"})
DICT_ATTRIBUTES = frozenset({
    "clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values",
})
SET_ATTRIBUTES = frozenset({
    "add", "clear", "copy", "difference", "difference_update", "discard", "intersection",
    "intersection_update", "isdisjoint", "issubset", "issuperset", "pop", "remove",
    "symmetric_difference", "symmetric_difference_update", "union", "update",
})
RANGE_ATTRIBUTES = frozenset({"start", "stop", "step", "count", "index"})

DATE_ATTRIBUTES = frozenset({
    "year", "month", "day", "weekday", "isoweekday", "isoformat", "isocalendar", "replace",
    "strftime", "toordinal", "ctime",
})
TIME_ATTRIBUTES = frozenset({
    "hour", "minute", "second", "microsecond", "tzinfo", "fold", "isoformat", "replace",
    "strftime", "utcoffset", "tzname", "dst",
})
DATETIME_ATTRIBUTES = DATE_ATTRIBUTES | TIME_ATTRIBUTES | {
    "date", "time", "timetz", "astimezone", "timestamp",
}
TIMEDELTA_ATTRIBUTES = frozenset({"days", "seconds", "microseconds", "total_seconds"})
TIMEZONE_ATTRIBUTES = frozenset({"utcoffset", "tzname", "dst"})
ISO_CALENDAR_ATTRIBUTES = TUPLE_ATTRIBUTES | {"year", "week", "weekday"}

DECIMAL_ATTRIBUTES = _NUMBER | {
    "adjusted", "as_integer_ratio", "compare", "copy_abs", "copy_negate", "copy_sign",
    "is_finite", "is_infinite", "is_nan", "is_signed", "is_zero", "max", "min", "normalize",
    "quantize", "sqrt", "to_eng_string", "to_integral", "to_integral_value",
}
EXCEPTION_ATTRIBUTES = frozenset({"args"})

# Instance attributes by type. A value's type is looked up along its MRO, so bool uses the
# int entry and every exception uses the BaseException entry.
INSTANCE_ATTRIBUTES: dict[type, frozenset[str]] = {
    bool: INT_ATTRIBUTES,
    int: INT_ATTRIBUTES,
    float: FLOAT_ATTRIBUTES,
    str: STR_ATTRIBUTES,
    list: LIST_ATTRIBUTES,
    tuple: TUPLE_ATTRIBUTES,
    dict: DICT_ATTRIBUTES,
    set: SET_ATTRIBUTES,
    frozenset: SET_ATTRIBUTES - {"add", "clear", "discard", "pop", "remove", "update",
                                 "difference_update", "intersection_update",
                                 "symmetric_difference_update"},
    range: RANGE_ATTRIBUTES,
    datetime: DATETIME_ATTRIBUTES,
    date: DATE_ATTRIBUTES,
    time: TIME_ATTRIBUTES,
    timedelta: TIMEDELTA_ATTRIBUTES,
    timezone: TIMEZONE_ATTRIBUTES,
    type(date(2000, 1, 1).isocalendar()): ISO_CALENDAR_ATTRIBUTES,
    Decimal: DECIMAL_ATTRIBUTES,
    BaseException: EXCEPTION_ATTRIBUTES,
}

# Attributes of the classes themselves: alternative constructors and constants only.
CLASS_ATTRIBUTES: dict[type, frozenset[str]] = {
    dict: frozenset({"fromkeys"}),
    date: frozenset({"fromisoformat", "fromordinal", "fromisocalendar", "min", "max",
                     "resolution"}),
    datetime: frozenset({"fromisoformat", "fromordinal", "fromisocalendar", "combine",
                         "strptime", "min", "max", "resolution"}),
    time: frozenset({"fromisoformat", "min", "max", "resolution"}),
    timedelta: frozenset({"min", "max", "resolution"}),
}

# Names that are rejected with a specific reason even where a type has them.
FORBIDDEN_ATTRIBUTE_REASONS: dict[str, str] = {
    "format": "format strings can read attributes; use an f-string",
    "format_map": "format strings can read attributes; use an f-string",
    "mro": "scripts may not inspect classes",
    "now": "scripts read the time through now() and today()",
    "today": "scripts read the time through now() and today()",
    "utcnow": "scripts read the time through now() and today()",
    "fromtimestamp": "scripts read the time through now() and today()",
    "utcfromtimestamp": "scripts read the time through now() and today()",
    "ljust": "it can build very large strings",
    "rjust": "it can build very large strings",
    "center": "it can build very large strings",
    "zfill": "it can build very large strings",
    "expandtabs": "it can build very large strings",
    "translate": "it can build very large strings",
    "maketrans": "it can build very large strings",
}

# Prefixes of the attributes of frames, code objects, tracebacks, coroutines and generators.
FORBIDDEN_ATTRIBUTE_PREFIXES: tuple[str, ...] = ("gi_", "f_", "co_", "tb_", "cr_", "ag_")

ALLOWED_ATTRIBUTE_NAMES: frozenset[str] = frozenset().union(
    *INSTANCE_ATTRIBUTES.values(), *CLASS_ATTRIBUTES.values()
) - FORBIDDEN_ATTRIBUTE_REASONS.keys()


def allowed_attributes(value: object) -> frozenset[str]:
    """Return the attribute names a script may read on `value`."""
    if isinstance(value, type):
        return CLASS_ATTRIBUTES.get(value, frozenset())
    for cls in type(value).__mro__:
        names = INSTANCE_ATTRIBUTES.get(cls)
        if names is not None:
            return names
    return frozenset()
