"""The sandbox worker process: reads JSON-line requests on stdin, writes replies on stdout.

Started by sandbox_pool as `python -m engine.runtime.sandbox_worker`. Before it accepts work
it imports everything it will need, then sets resource limits so that it cannot open files,
start processes or grow past its memory allowance, and drops root privileges when it has
them. Each request is checked against the static rules again, rewritten with run-time
guards and run with a fresh namespace whose builtins are the sandbox's own.
"""

from __future__ import annotations

import argparse
import decimal
import functools
import json
import os
import resource
import sys
from datetime import datetime
from types import CodeType, TracebackType
from typing import Any

from engine.runtime import sandbox_builtins, sandbox_codec, sandbox_guards
from engine.runtime.sandbox_codec import CodecError
from engine.runtime.sandbox_rules import (
    SandboxError,
    describe_exception,
    located,
    parse_source,
)
from engine.runtime.sandbox_transform import add_guards

SCRIPT_FILENAME = "<script>"
MEMORY_EXIT_CODE = 3
SCRIPT_RECURSION_DEPTH = 200
INT_MAX_STR_DIGITS = 4_300
NOBODY_ID = 65_534

# Modules a script has no business reaching. The worker keeps its own references, but takes
# them out of sys.modules so nothing can import them after start-up.
SEALED_MODULES = (
    "os", "posix", "subprocess", "_posixsubprocess", "shutil", "socket", "_socket", "ctypes",
    "_ctypes", "pickle", "_pickle", "marshal", "importlib", "pty", "multiprocessing",
)


@functools.lru_cache(maxsize=64)
def compile_source(source: str, mode: str) -> CodeType:
    """Check, guard and compile `source`; raises SandboxError of kind "syntax" or "forbidden"."""
    tree = add_guards(parse_source(source, mode))
    try:
        return compile(tree, SCRIPT_FILENAME, mode)  # type: ignore[no-any-return]
    except (SyntaxError, ValueError, RecursionError) as error:
        # parse_source compiled the unguarded tree, so this is a fault in the transform.
        raise SandboxError("error", f"the guarded script does not compile: {error}") from None


def script_line(traceback: TracebackType | None) -> int | None:
    """Return the line of the innermost script frame in `traceback`."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == SCRIPT_FILENAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _failure(error: SandboxError) -> dict[str, Any]:
    return {"ok": False, "kind": error.kind, "reason": error.reason, "line": error.line}


def _stopped(stop: sandbox_guards.GuardStop, line: int | None) -> dict[str, Any]:
    return {"ok": False, "kind": stop.kind, "reason": located(stop.reason, line), "line": line}


def run_request(request: dict[str, Any], builtins: dict[str, Any],
                max_result_bytes: int) -> dict[str, Any]:
    """Run one request and return the reply message."""
    mode = "eval" if request.get("op") == "eval" else "exec"
    try:
        code = compile_source(request["source"], mode)
        variables = sandbox_codec.decode(request["variables"])
        now = datetime.fromisoformat(request["now"])
    except SandboxError as error:
        return _failure(error)
    except (CodecError, KeyError, TypeError, ValueError) as error:
        return _failure(SandboxError("error", f"invalid request: {error}"))

    # Guard functions live in the builtins, so no global may start with an underscore and
    # shadow them. The engine filters such names too.
    namespace = {name: value for name, value in variables.items() if not name.startswith("_")}
    namespace["__builtins__"] = builtins
    sandbox_guards.begin_job()
    sandbox_builtins.set_now(now)
    base_limit = sys.getrecursionlimit()

    try:
        sys.setrecursionlimit(_current_depth() + SCRIPT_RECURSION_DEPTH)
        try:
            if mode == "eval":
                value = eval(code, namespace)
            else:
                exec(code, namespace)
                value = None
        finally:
            sys.setrecursionlimit(base_limit)
    except BaseException as error:  # noqa: B036 - every script failure becomes a reply
        line = script_line(error.__traceback__)
        stop = sandbox_guards.recorded_stop()
        if stop is not None:
            return _stopped(stop, line)
        if isinstance(error, sandbox_guards.GuardStop):
            return _stopped(error, line)
        if not isinstance(error, Exception):
            raise
        return _failure(describe_exception(error, line))

    stop = sandbox_guards.recorded_stop()
    if stop is not None:
        return _stopped(stop, None)
    try:
        encoded = _encode_namespace(namespace) if mode == "exec" else _encode_result(value)
    except SandboxError as error:
        return _failure(error)
    try:
        size = len(sandbox_codec.dumps(encoded))
    except CodecError as error:
        return _failure(SandboxError("error", f"the result {error.message}"))
    if size > max_result_bytes:
        return _failure(SandboxError(
            "error", f"the result is {size} bytes of JSON; the limit is {max_result_bytes}"
        ))
    return {"ok": True, "value": encoded}


def _encode_result(value: Any) -> Any:
    try:
        return sandbox_codec.encode(value)
    except CodecError as error:
        raise SandboxError("error", error.describe("the result")) from None


def _encode_namespace(namespace: dict[str, Any]) -> dict[str, Any]:
    # Functions the script defined and builtins it bound to a name are dropped, as
    # SpiffWorkflow 3.2's TaskDataEnvironment does. Every other value must be plain.
    try:
        return sandbox_codec.encode_variables(namespace, drop_callables=True)
    except CodecError as error:
        raise SandboxError("error", error.message) from None


def _current_depth() -> int:
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth


def _preload() -> None:
    # Everything imported lazily by code a script can trigger must be imported now, because
    # after the limits are set no file can be opened.
    import _strptime  # noqa: F401
    import time  # noqa: F401

    decimal.setcontext(sandbox_builtins.decimal_context())
    datetime.strptime("2000-01-02", "%Y-%m-%d")
    datetime(2000, 1, 2).strftime("%A %B %c")
    sandbox_codec.decode(sandbox_codec.loads(sandbox_codec.dumps(sandbox_codec.encode(
        {"d": sandbox_builtins.safe_decimal("1.5"), "t": datetime(2000, 1, 2)}))))
    compile_source("x = [i for i in range(3)]\ny = f'{x!r:>3}'", "exec")


def _apply_limits(memory_mb: int, cpu_seconds: int) -> None:
    os.closerange(3, 1024)
    limits = {
        resource.RLIMIT_AS: (memory_mb * 1024 * 1024,) * 2,
        # The kernel sends SIGXCPU at the soft limit and SIGKILL at the hard one. The gap lets
        # the engine tell a CPU limit from the out-of-memory killer.
        resource.RLIMIT_CPU: (cpu_seconds, cpu_seconds + 1),
        resource.RLIMIT_NOFILE: (3, 3),  # only stdin, stdout and stderr can be open
        resource.RLIMIT_FSIZE: (0, 0),
        resource.RLIMIT_CORE: (0, 0),
    }
    for limit, values in limits.items():
        resource.setrlimit(limit, values)

    if os.geteuid() == 0:
        try:
            os.setgroups([])
            os.setgid(NOBODY_ID)
            os.setuid(NOBODY_ID)
        except OSError:
            pass  # the limits above still hold, and the ready message reports the uid
    # RLIMIT_NPROC does not bind root, so it is set after dropping privileges.
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    sys.set_int_max_str_digits(INT_MAX_STR_DIGITS)


def _cpu_seconds_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _seal_modules() -> None:
    for name in SEALED_MODULES:
        sys.modules[name] = None  # type: ignore[assignment]


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sandbox_worker")
    parser.add_argument("--memory-mb", type=int, required=True,
                        help="address space limit in MiB")
    parser.add_argument("--cpu-seconds", type=int, required=True,
                        help="CPU time limit for the life of the worker, in seconds")
    parser.add_argument("--retire-after-cpu-seconds", type=float, required=True,
                        help="CPU seconds after which the worker answers and exits")
    parser.add_argument("--max-result-bytes", type=int, required=True,
                        help="largest reply the worker sends, in bytes of JSON")
    return parser.parse_args(argv)


def _serve_one(line: bytes, builtins: dict[str, Any], max_result_bytes: int) -> bytes:
    try:
        request = sandbox_codec.loads(line)
        return sandbox_codec.dumps(run_request(request, builtins, max_result_bytes))
    except MemoryError:
        reply = {"ok": False, "kind": "memory", "reason": "the script ran out of memory"}
    except CodecError as error:
        reply = {"ok": False, "kind": "error", "reason": f"invalid request: {error}"}
    except Exception as error:
        reply = {"ok": False, "kind": "error",
                 "reason": f"the sandbox worker failed: {type(error).__name__}"}
    return sandbox_codec.dumps({**reply, "line": None})


def main(argv: list[str] | None = None) -> int:
    options = _parse_arguments(argv)
    requests = sys.stdin.buffer
    replies = sys.stdout.buffer
    # Nothing but the reply loop may write to stdout: print() does nothing when it is None.
    sys.stdout = None  # type: ignore[assignment]

    _preload()
    builtins = sandbox_builtins.build_builtins()
    _apply_limits(options.memory_mb, options.cpu_seconds)
    _seal_modules()
    ready = {"ready": True, "pid": os.getpid(), "uid": os.getuid()}
    replies.write(json.dumps(ready).encode("ascii") + b"\n")
    replies.flush()

    # RLIMIT_CPU counts the whole life of the process, so the worker retires well before it
    # reaches the limit; the rest stays as the backstop for a single run.
    retire_after = options.retire_after_cpu_seconds
    while True:
        line = requests.readline()
        if not line:
            return 0
        data = _serve_one(line, builtins, options.max_result_bytes)
        retiring = _cpu_seconds_used() >= retire_after
        if retiring:
            # Every reply is one JSON object followed by a newline: add the flag inside it.
            data = data[:-2] + b',"retire":true}\n'
        replies.write(data)
        replies.flush()
        if retiring:
            return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except MemoryError:
        os._exit(MEMORY_EXIT_CODE)
