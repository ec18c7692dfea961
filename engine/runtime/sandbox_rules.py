"""Static rules for diagram expressions and scripts, shared by the engine and the sandbox worker.

The checker walks the syntax tree and rejects every construct that could reach the
interpreter's internals, the file system or the wall clock. The worker applies the same rules
again before it runs anything, and adds run-time guards on top (see sandbox_guards).
"""

from __future__ import annotations

import ast
import decimal
import re
import textwrap
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal

from engine.runtime.sandbox_attributes import (
    ALLOWED_ATTRIBUTE_NAMES,
    FORBIDDEN_ATTRIBUTE_PREFIXES,
    FORBIDDEN_ATTRIBUTE_REASONS,
)
from engine.runtime.sandbox_codec import MAX_DECIMAL_EXPONENT

ErrorKind = Literal["forbidden", "syntax", "timeout", "memory", "error"]
ERROR_KINDS: frozenset[str] = frozenset({"forbidden", "syntax", "timeout", "memory", "error"})

MAX_SOURCE_CHARS = 20_000
MAX_NODES = 10_000
MAX_DEPTH = 100
MAX_FORMAT_SPEC_CHARS = 64
MAX_REASON_CHARS = 500

# Builtins that a script might try and that the sandbox never provides. Using one of these
# names without assigning it first is reported as "forbidden" rather than as a NameError.
DENIED_BUILTIN_NAMES: frozenset[str] = frozenset({
    "open", "eval", "exec", "compile", "getattr", "setattr", "delattr", "hasattr", "globals",
    "locals", "vars", "dir", "type", "object", "super", "input", "breakpoint", "help",
    "memoryview", "bytearray", "bytes", "iter", "next", "exit", "quit", "classmethod",
    "staticmethod", "property", "id", "hash", "callable", "issubclass", "license", "credits",
    "copyright", "format", "pow", "aiter", "anext",
})

# The types that may cross into and out of the sandbox. Tuples are sent as lists.
PLAIN_TYPES: tuple[type, ...] = (
    type(None), bool, int, float, str, list, tuple, dict,
    datetime, date, time, timedelta, Decimal,
)

_DIGIT_RUN = re.compile(r"\d{4,}")

_STATEMENTS: tuple[type[ast.AST], ...] = (
    ast.Module, ast.Expression, ast.FunctionDef, ast.Return, ast.Delete, ast.Assign,
    ast.AugAssign, ast.For, ast.While, ast.If, ast.Raise, ast.Try, ast.Assert, ast.Expr,
    ast.Pass, ast.Break, ast.Continue, ast.ExceptHandler, ast.arguments, ast.arg, ast.keyword,
    ast.comprehension,
)
_EXPRESSIONS: tuple[type[ast.AST], ...] = (
    ast.BoolOp, ast.NamedExpr, ast.BinOp, ast.UnaryOp, ast.Lambda, ast.IfExp, ast.Dict,
    ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Compare, ast.Call,
    ast.FormattedValue, ast.JoinedStr, ast.Constant, ast.Attribute, ast.Subscript, ast.Starred,
    ast.Name, ast.List, ast.Tuple, ast.Slice,
)
_OPERATORS: tuple[type[ast.AST], ...] = (
    ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop,
)

_CONSTRUCT_REASONS: dict[type[ast.AST], str] = {
    ast.Import: "imports are not allowed",
    ast.ImportFrom: "imports are not allowed",
    ast.Global: "global statements are not allowed",
    ast.Nonlocal: "nonlocal statements are not allowed",
    ast.ClassDef: "class definitions are not allowed",
    ast.With: "with statements are not allowed",
    ast.AsyncWith: "async code is not allowed",
    ast.AsyncFor: "async code is not allowed",
    ast.AsyncFunctionDef: "async code is not allowed",
    ast.Await: "async code is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.Match: "match statements are not allowed",
    ast.AnnAssign: "annotated assignments are not allowed; assign without the annotation",
    ast.TryStar: "except* is not allowed",
}


class SandboxError(Exception):
    """An expression or script was rejected, failed or ran out of time or memory.

    `kind` is one of "forbidden", "syntax", "timeout", "memory" and "error". `reason` is a
    short English description that ends with the line number when one is known.
    """

    def __init__(self, kind: ErrorKind, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.kind: ErrorKind = kind
        self.reason = reason
        self.line = line

    def __repr__(self) -> str:
        return f"SandboxError(kind={self.kind!r}, reason={self.reason!r}, line={self.line!r})"


def located(message: str, line: int | None) -> str:
    """Return `message` with the line number appended when it is known."""
    return f"{message} (line {line})" if line else message


def describe_exception(error: BaseException, line: int | None) -> SandboxError:
    """Turn an exception raised by a script into a SandboxError with a short reason."""
    if isinstance(error, MemoryError):
        return SandboxError("memory", located("the script ran out of memory", line), line)
    if isinstance(error, NameError) and error.name in DENIED_BUILTIN_NAMES:
        message = f"'{error.name}' is not available in scripts"
        return SandboxError("forbidden", located(message, line), line)
    try:
        text = str(error)
    except Exception:  # str() of an exception can fail, e.g. on a huge integer argument
        text = ""
    if isinstance(error, decimal.DecimalException):
        text = _describe_decimal_error(error)
    message = f"{type(error).__name__}: {text}" if text else type(error).__name__
    if len(message) > MAX_REASON_CHARS:
        message = message[:MAX_REASON_CHARS] + "..."
    return SandboxError("error", located(message, line), line)


_DECIMAL_MESSAGES: dict[type[BaseException], str] = {
    decimal.DivisionByZero: "division by zero",
    decimal.Overflow: f"the Decimal exponent would exceed {MAX_DECIMAL_EXPONENT}",
    decimal.InvalidOperation: "invalid Decimal operation",
    decimal.ConversionSyntax: "invalid Decimal text",
}


def _describe_decimal_error(error: decimal.DecimalException) -> str:
    # The decimal module's message is a list of signal classes, such as ConversionSyntax.
    signals = error.args[0] if error.args and isinstance(error.args[0], list) else []
    for signal in [*signals, type(error)]:
        if signal in _DECIMAL_MESSAGES:
            return _DECIMAL_MESSAGES[signal]
    return "invalid Decimal operation"


def parse_source(source: str, mode: str) -> ast.Expression | ast.Module:
    """Parse and check `source` ("eval" for an expression, "exec" for a script).

    Raises SandboxError of kind "syntax" or "forbidden". Leading blank lines and a common
    indentation are accepted, and line numbers still refer to the text as written.
    """
    if mode not in ("eval", "exec"):
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if not isinstance(source, str):
        raise SandboxError("syntax", f"the source must be a string, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        raise SandboxError(
            "forbidden",
            f"the source is {len(source)} characters long; the limit is {MAX_SOURCE_CHARS}",
        )

    tree = _parse(source, mode)
    _check_tree(tree)
    _check_compiles(tree, mode)
    return tree


def _check_compiles(tree: ast.Expression | ast.Module, mode: str) -> None:
    # The parser accepts some code that only the compiler rejects, such as `return` or
    # `break` outside a function or loop.
    try:
        compile(tree, "<script>", mode, dont_inherit=True)
    except SyntaxError as error:
        raise SandboxError("syntax", located(error.msg or "invalid syntax", error.lineno),
                           error.lineno) from None
    except (MemoryError, RecursionError):
        raise SandboxError("forbidden", "the source is nested too deeply") from None


def _parse(source: str, mode: str) -> ast.Expression | ast.Module:
    if mode == "eval":
        stripped = source.lstrip()
        skipped_lines = source[: len(source) - len(stripped)].count("\n")
        text = stripped
    else:
        skipped_lines = 0
        text = textwrap.dedent(source)

    try:
        tree = ast.parse(text, filename="<script>", mode=mode)
    except SyntaxError as error:
        line = error.lineno + skipped_lines if error.lineno else None
        raise SandboxError("syntax", located(error.msg or "invalid syntax", line), line) from None
    except ValueError as error:  # for example a NUL character in the source
        raise SandboxError("syntax", str(error)) from None
    except (MemoryError, RecursionError):
        raise SandboxError("forbidden", "the source is nested too deeply") from None

    if skipped_lines:
        ast.increment_lineno(tree, skipped_lines)
    return tree  # type: ignore[return-value]


def _forbid(message: str, node: ast.AST) -> SandboxError:
    line = getattr(node, "lineno", None)
    return SandboxError("forbidden", located(message, line), line)


def _check_tree(tree: ast.AST) -> None:
    # An explicit stack instead of recursion, so a deep tree cannot exhaust the Python stack
    # of the process that checks it.
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise SandboxError("forbidden", f"the source has more than {MAX_NODES} syntax nodes")
        if depth > MAX_DEPTH:
            raise _forbid(f"the source is nested more than {MAX_DEPTH} levels deep", node)
        _check_node(node)
        if isinstance(node, ast.FormattedValue):
            # The format spec was checked as a whole, so only the formatted value is walked.
            stack.append((node.value, depth + 1))
            continue
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1))


def _check_node(node: ast.AST) -> None:
    if not isinstance(node, _STATEMENTS + _EXPRESSIONS + _OPERATORS):
        reason = _CONSTRUCT_REASONS.get(type(node), f"{type(node).__name__} is not allowed")
        raise _forbid(reason, node)

    if isinstance(node, ast.Name):
        _check_name(node.id, node)
    elif isinstance(node, ast.Attribute):
        _check_attribute(node)
    elif isinstance(node, ast.FunctionDef):
        _check_name(node.name, node)
        if node.decorator_list:
            raise _forbid("decorators are not allowed", node)
    elif isinstance(node, ast.arg):
        _check_name(node.arg, node)
    elif isinstance(node, ast.keyword) and node.arg is not None:
        _check_name(node.arg, node)
    elif isinstance(node, ast.ExceptHandler):
        _check_handler(node)
    elif isinstance(node, ast.Constant):
        _check_constant(node)
    elif isinstance(node, ast.FormattedValue):
        _check_format_spec(node)
    elif isinstance(node, ast.comprehension) and node.is_async:
        raise _forbid("async code is not allowed", node)


def _check_name(name: str, node: ast.AST) -> None:
    if name.startswith("_"):
        raise _forbid(f"names starting with an underscore are not allowed: '{name}'", node)


def _check_attribute(node: ast.Attribute) -> None:
    name = node.attr
    if not isinstance(node.ctx, ast.Load):
        raise _forbid(f"assigning or deleting the attribute '{name}' is not allowed", node)
    if name.startswith("_"):
        raise _forbid(f"attributes starting with an underscore are not allowed: '{name}'", node)
    if name.startswith(FORBIDDEN_ATTRIBUTE_PREFIXES):
        raise _forbid(f"the attribute '{name}' is not allowed", node)
    if name in FORBIDDEN_ATTRIBUTE_REASONS:
        reason = FORBIDDEN_ATTRIBUTE_REASONS[name]
        raise _forbid(f"the attribute '{name}' is not allowed: {reason}", node)
    if name not in ALLOWED_ATTRIBUTE_NAMES:
        raise _forbid(f"the attribute '{name}' is not allowed", node)


def _check_handler(node: ast.ExceptHandler) -> None:
    if node.type is None:
        raise _forbid("a bare 'except:' is not allowed; name the exception, "
                      "for example 'except ValueError:'", node)
    names = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
    if not all(isinstance(name, ast.Name) for name in names):
        raise _forbid("an except clause may only name exception types", node)
    if node.name is not None:
        _check_name(node.name, node)


def _check_constant(node: ast.Constant) -> None:
    if isinstance(node.value, bytes):
        raise _forbid("bytes literals are not allowed", node)
    if isinstance(node.value, complex):
        raise _forbid("complex numbers are not allowed", node)


def _check_format_spec(node: ast.FormattedValue) -> None:
    spec = node.format_spec
    if spec is None:
        return
    parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
    if not all(isinstance(part, ast.Constant) and isinstance(part.value, str) for part in parts):
        raise _forbid("f-string format specs must be constant, e.g. {x:.2f}", node)
    text = "".join(part.value for part in parts)  # type: ignore[attr-defined]
    if len(text) > MAX_FORMAT_SPEC_CHARS or _DIGIT_RUN.search(text):
        raise _forbid(
            f"the f-string format spec '{text[:40]}' is too large; widths and precisions "
            "may have at most 3 digits",
            node,
        )


def is_plain_value(value: object) -> bool:
    """Return whether `value` has one of the types that may cross the sandbox boundary."""
    return isinstance(value, PLAIN_TYPES)
