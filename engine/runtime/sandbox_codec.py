"""JSON encoding of the values that cross between the engine and a sandbox worker.

Plain JSON carries None, bool, int, float, str, list and dict. Dates, times, durations and
Decimals travel as tagged objects `{"$sx": <type>, "v": <payload>}`. A dict that has the
key "$sx" is wrapped as `{"$sx": "dict", "v": {...}}`, so it cannot be taken for a tag.
Tuples become lists. Sets, functions, generators, every other type and integers of more than
MAX_INT_BITS bits are rejected.

The decoder treats its input as untrusted: a worker that has been subverted must not be able
to make the engine build anything but these plain values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

TAG = "$sx"
MAX_DEPTH = 100
# Scripts compute with Emax and -Emin at MAX_DECIMAL_EXPONENT. Results below Emin become
# subnormal and reach an adjusted exponent of Emin - 27 at 28 digits, so values up to
# MAX_DECIMAL_ADJUSTED may cross the boundary.
MAX_DECIMAL_EXPONENT = 9_999
MAX_DECIMAL_ADJUSTED = MAX_DECIMAL_EXPONENT + 100
MAX_TAGGED_TEXT_CHARS = 200
# Python refuses to turn an integer of more than 4300 digits into text by default
# (sys.get_int_max_str_digits), and 14,000 bits stays below that.
MAX_INT_BITS = 14_000


class CodecError(ValueError):
    """A value that cannot cross the sandbox boundary, with the path to it."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def at(self, step: str) -> CodecError:
        return CodecError(self.message, step + self.path)

    def describe(self, root: str) -> str:
        return f"{root}{self.path} {self.message}"


def encode(value: Any, depth: int = 0) -> Any:
    """Return a JSON-ready form of `value`; raises CodecError for an unsupported value."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CodecError(f"is an integer of more than {MAX_INT_BITS} bits, too large to pass on")
    if isinstance(value, (int, float)):
        return value
    if depth >= MAX_DEPTH:
        raise CodecError(f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, (list, tuple)):
        return [_encode_item(item, f"[{index}]", depth) for index, item in enumerate(value)]
    if isinstance(value, dict):
        return _encode_dict(value, depth)
    if isinstance(value, datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, time):
        return {TAG: "time", "v": value.isoformat()}
    if isinstance(value, timedelta):
        return {TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, Decimal):
        try:
            checked_decimal(value)
        except ValueError as error:
            raise CodecError(f"is a Decimal out of range: {error}") from None
        return {TAG: "decimal", "v": str(value)}
    raise CodecError(_unsupported(value))


def _encode_item(value: Any, step: str, depth: int) -> Any:
    try:
        return encode(value, depth + 1)
    except CodecError as error:
        raise error.at(step) from None


def _encode_dict(value: dict[Any, Any], depth: int) -> dict[str, Any]:
    encoded: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise CodecError(f"has a key of type {type(key).__name__}; keys must be strings")
        encoded[key] = _encode_item(item, f"[{key!r}]", depth)
    if TAG in encoded:
        return {TAG: "dict", "v": encoded}
    return encoded


def encode_variables(variables: Mapping[str, Any], *, drop_callables: bool) -> dict[str, Any]:
    """Encode a namespace, leaving out names that start with an underscore.

    With `drop_callables`, functions and classes bound to a name are left out as well.
    """
    encoded: dict[str, Any] = {}
    for name, value in variables.items():
        if not isinstance(name, str):
            raise CodecError(f"variable names must be strings, not {type(name).__name__}")
        if name.startswith("_") or (drop_callables and callable(value)):
            continue
        try:
            encoded[name] = encode(value, 1)
        except CodecError as error:
            raise CodecError(error.describe(f"the variable '{name}'")) from None
    if TAG in encoded:
        return {TAG: "dict", "v": encoded}
    return encoded


def _unsupported(value: Any) -> str:
    name = type(value).__name__
    if isinstance(value, (set, frozenset)):
        return f"is a {name}, which cannot leave the sandbox; convert it with sorted(...)"
    if callable(value):
        return f"is a {name}, which cannot leave the sandbox"
    return f"has the type {name}, which cannot cross the sandbox boundary"


def decode(data: Any, depth: int = 0) -> Any:
    """Build plain values from decoded JSON; raises CodecError on anything unexpected."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if depth >= MAX_DEPTH:
        raise CodecError(f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(data, list):
        return [decode(item, depth + 1) for item in data]
    if not isinstance(data, dict):
        raise CodecError(f"has the unexpected JSON type {type(data).__name__}")
    if TAG not in data:
        return {key: decode(item, depth + 1) for key, item in data.items()}
    if set(data) != {TAG, "v"}:
        raise CodecError("is a tagged value with unexpected keys")

    tag, payload = data[TAG], data["v"]
    if tag == "dict" and isinstance(payload, dict):
        return {key: decode(item, depth + 1) for key, item in payload.items()}
    if tag == "timedelta":
        return _decode_timedelta(payload)
    if not isinstance(payload, str) or len(payload) > MAX_TAGGED_TEXT_CHARS:
        raise CodecError(f"is a tagged {tag!r} value with an invalid payload")
    try:
        if tag == "datetime":
            return datetime.fromisoformat(payload)
        if tag == "date":
            return date.fromisoformat(payload)
        if tag == "time":
            return time.fromisoformat(payload)
        if tag == "decimal":
            return checked_decimal(Decimal(payload))
    except (ValueError, InvalidOperation):
        raise CodecError(f"is a tagged {tag!r} value that does not parse") from None
    raise CodecError(f"has the unknown tag {tag!r}")


def _decode_timedelta(payload: Any) -> timedelta:
    if (not isinstance(payload, list) or len(payload) != 3
            or not all(type(part) is int for part in payload)):
        raise CodecError("is a tagged 'timedelta' value with an invalid payload")
    try:
        return timedelta(days=payload[0], seconds=payload[1], microseconds=payload[2])
    except OverflowError:
        raise CodecError("is a timedelta out of range") from None


def checked_decimal(value: Decimal) -> Decimal:
    """Return `value`, or raise ValueError when its exponent is outside the supported range.

    An exact Decimal such as 1E999999999 is cheap to hold but int() of it would allocate
    gigabytes, so such values are rejected at the boundary and in the Decimal() constructor.
    """
    if value.is_finite() and abs(value.adjusted()) > MAX_DECIMAL_ADJUSTED:
        raise ValueError(f"the Decimal exponent is beyond ±{MAX_DECIMAL_ADJUSTED}")
    return value


def dumps(message: Any) -> bytes:
    """Serialise an already encoded message as one JSON line."""
    try:
        text = json.dumps(message, ensure_ascii=True, separators=(",", ":"))
    except ValueError as error:  # an integer beyond sys.get_int_max_str_digits()
        raise CodecError(f"cannot be serialised: {error}") from None
    return text.encode("ascii") + b"\n"


def loads(line: bytes) -> Any:
    """Parse one JSON line; raises CodecError for invalid or too deeply nested input."""
    try:
        return json.loads(line)
    except (ValueError, RecursionError) as error:
        raise CodecError(f"is not valid JSON: {str(error)[:100]}") from None
