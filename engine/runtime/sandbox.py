"""The sandbox that evaluates the Python expressions and scripts in deployed diagrams.

A process owner writes gateway conditions, due dates, timer expressions and script tasks,
and must never be able to run code on the server through them. The rules are in
docs/adr/0002-expression-sandbox.md; in short:

* `check` applies static syntax rules (sandbox_rules) when a diagram is deployed.
* `evaluate` runs a trivial expression (names, constants, comparisons, boolean operators,
  constant subscripts) in this process with no builtins, because it can neither loop nor
  allocate. Everything else runs in a worker subprocess (sandbox_pool, sandbox_worker)
  with resource limits, restricted builtins and run-time guards.
* `execute` always runs in a worker and returns the new variables.
"""

from __future__ import annotations

import ast
import functools
import logging
import weakref
from collections.abc import Mapping
from datetime import datetime
from types import CodeType
from typing import Any

from engine.runtime import sandbox_codec
from engine.runtime.clock import to_utc
from engine.runtime.sandbox_codec import CodecError
from engine.runtime.sandbox_pool import WorkerPool, WorkerSettings
from engine.runtime.sandbox_rules import (
    SandboxError,
    describe_exception,
    is_plain_value,
    parse_source,
)

__all__ = ["Sandbox", "SandboxError"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_RESULT_BYTES = 5_000_000
MIN_MEMORY_MB = 64
FAST_PATH_FILENAME = "<expression>"

_FAST_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.Name, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp,
    ast.Subscript, ast.Tuple, ast.List, ast.Load, ast.And, ast.Or, ast.Not, ast.USub,
    ast.UAdd, ast.cmpop,
)


class _Analysis:
    """A checked expression or script, and its in-process code when it is trivial."""

    __slots__ = ("fast_code", "names")

    def __init__(self, fast_code: CodeType | None, names: tuple[str, ...]) -> None:
        self.fast_code = fast_code
        self.names = names


def _is_constant_key(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, int))


def _is_trivial(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if not isinstance(node, _FAST_NODES):
            return False
        if isinstance(node, ast.Constant) and not is_plain_value(node.value):
            return False
        if isinstance(node, ast.Subscript) and not _is_constant_key(node.slice):
            return False
    return True


@functools.lru_cache(maxsize=512)
def _analyse(source: str, mode: str) -> _Analysis:
    tree = parse_source(source, mode)
    if mode != "eval" or not _is_trivial(tree):
        return _Analysis(None, ())
    names = tuple(sorted({node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}))
    return _Analysis(compile(tree, FAST_PATH_FILENAME, "eval"), names)


def _line_of(error: BaseException) -> int | None:
    traceback = error.__traceback__
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == FAST_PATH_FILENAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


class Sandbox:
    """Checks, evaluates and executes diagram code; safe to share between threads.

    `timeout_seconds` bounds the wall-clock time of one evaluation or script in a worker,
    `memory_mb` is each worker's address-space limit and `workers` the number of worker
    processes run at once. Results must be plain values (see sandbox_codec); a script's
    functions are dropped from its variables, and sets are rejected.
    """

    def __init__(self, timeout_seconds: float = 2.0, memory_mb: int = 256, workers: int = 2,
                 *, max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES) -> None:
        if timeout_seconds <= 0:
            raise ValueError(f"timeout_seconds must be positive, not {timeout_seconds}")
        if memory_mb < MIN_MEMORY_MB:
            raise ValueError(f"memory_mb must be at least {MIN_MEMORY_MB}, not {memory_mb}")
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        settings = WorkerSettings(memory_mb=memory_mb, timeout_seconds=timeout_seconds,
                                  max_result_bytes=max_result_bytes)
        self._pool = WorkerPool(workers, settings)
        self._finalizer = weakref.finalize(self, self._pool.close)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def check(self, source: str, mode: str) -> None:
        """Static check only (mode "eval" or "exec"); raises SandboxError of kind "syntax" or
        "forbidden". Used when a diagram is deployed, so bad code is rejected before it runs."""
        _analyse(source, mode)

    def evaluate(self, expression: str, variables: Mapping[str, Any], now: datetime) -> Any:
        """Return the value of `expression` with `variables` as its names."""
        analysis = _analyse(expression, "eval")
        if analysis.fast_code is not None and all(
            is_plain_value(variables.get(name)) for name in analysis.names
        ):
            return self._evaluate_in_process(analysis.fast_code, variables)
        return self._run("eval", expression, variables, now)

    def execute(self, script: str, variables: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """Run a script task body; return the complete new variables.

        Names the script added, changed and deleted are applied. Variables whose names start
        with an underscore are not passed to the script and are returned unchanged. The
        caller's mapping is never modified.
        """
        _analyse(script, "exec")
        result = self._run("exec", script, variables, now)
        if not isinstance(result, dict):
            raise SandboxError("error", "the sandbox worker returned variables that are not a dict")
        hidden = {name: value for name, value in variables.items()
                  if isinstance(name, str) and name.startswith("_")}
        return {**hidden, **result}

    def worker_pids(self) -> list[int]:
        """Return the process ids of the running workers, for monitoring."""
        return self._pool.worker_pids()

    def close(self) -> None:
        """Stop the worker processes; later calls that need a worker raise RuntimeError."""
        self._finalizer()

    def _evaluate_in_process(self, code: CodeType, variables: Mapping[str, Any]) -> Any:
        # The code has no calls, attributes or operators that allocate, so with empty
        # builtins it can only read the caller's values. The mapping serves as locals.
        try:
            value = eval(code, {"__builtins__": {}}, variables)
        except Exception as error:
            raise describe_exception(error, _line_of(error) or 1) from None
        if type(value) is bool:
            return value
        try:
            return sandbox_codec.decode(sandbox_codec.encode(value))
        except CodecError as error:
            raise SandboxError("error", error.describe("the result")) from None

    def _run(self, op: str, source: str, variables: Mapping[str, Any], now: datetime) -> Any:
        try:
            encoded = sandbox_codec.encode_variables(variables, drop_callables=False)
        except CodecError as error:
            raise SandboxError("error", error.message) from None
        message = {"op": op, "source": source, "variables": encoded,
                   "now": to_utc(now).isoformat()}
        value = self._pool.request(message)
        try:
            return sandbox_codec.decode(value)
        except CodecError as error:
            logger.warning("sandbox worker sent an undecodable result op=%s", op)
            raise SandboxError("error", f"the sandbox returned an invalid value: {error}") from None
