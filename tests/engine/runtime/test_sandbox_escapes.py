"""Attempts to break out of the sandbox, each of which must fail without a side effect.

Every attempt gets the path of a marker file in the variable `marker`, and the attempts that
can try to create it. The test then checks that the file is still absent. The table lists
the kinds of error that count as a correct rejection.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import pytest

from engine.runtime import sandbox_builtins, sandbox_guards
from engine.runtime.sandbox import Sandbox, SandboxError
from engine.runtime.sandbox_pool import WorkerProcess, WorkerSettings, parse_reply

NOW = datetime(2024, 5, 17, 10, 30, tzinfo=UTC)
FORBIDDEN = {"forbidden"}
STOPPED = {"timeout"}
FAILED = {"error", "forbidden"}


class Attempt(NamedTuple):
    name: str
    source: str
    kinds: set[str]
    mode: str = "exec"


def _repeat(line: str, times: int) -> str:
    return "\n".join([line] * times)


ATTEMPTS = [
    # Files, modules and processes.
    Attempt("open_passwd", "data = open('/etc/passwd').read()", FORBIDDEN),
    Attempt("open_marker", "open(marker, 'w').write('x')", FORBIDDEN),
    Attempt("open_alias", "fopen = open\nfopen(marker, 'w')", FORBIDDEN),
    Attempt("dunder_import", "__import__('os').system('touch ' + marker)", FORBIDDEN),
    Attempt("import_os", "import os\nos.system('touch ' + marker)", FORBIDDEN),
    Attempt("from_import", "from os import system\nsystem('touch ' + marker)", FORBIDDEN),
    Attempt("with_open", "with open(marker, 'w') as f:\n    pass", FORBIDDEN),
    Attempt("exit", "exit()", FORBIDDEN),
    Attempt("quit", "quit()", FORBIDDEN),
    Attempt("breakpoint", "breakpoint()", FORBIDDEN),
    Attempt("help", "help()", FORBIDDEN),
    # Introspection that leads back to object, frames or builtins.
    Attempt("subclasses", "().__class__.__bases__[0].__subclasses__()", FORBIDDEN),
    Attempt("list_class", "[].__class__", FORBIDDEN),
    Attempt("getattr_dunder", "getattr((), '__class__')", FORBIDDEN),
    Attempt("getattr_built_name", "getattr([], '__cl' + 'ass__')", FORBIDDEN),
    Attempt("type_of_value", "x = type(1)", FORBIDDEN),
    Attempt("type_new_class", "X = type('X', (), {})", FORBIDDEN),
    Attempt("vars", "v = vars()", FORBIDDEN),
    Attempt("globals", "g = globals()['__builtins__']", FORBIDDEN),
    Attempt("locals", "l = locals()", FORBIDDEN),
    Attempt("eval", "eval('1 + 1')", FORBIDDEN),
    Attempt("exec", "exec('import os')", FORBIDDEN),
    Attempt("compile", "compile('1', 'x', 'eval')", FORBIDDEN),
    Attempt("format_dunder", "'{0.__class__}'.format(1)", FORBIDDEN),
    Attempt("format_map_dunder", "'{x.__class__}'.format_map({'x': 1})", FORBIDDEN),
    Attempt("fstring_repr_dunder", "s = f'{marker.__class__!r}'", FORBIDDEN),
    Attempt("fstring_nested_spec", "s = f'{1:{marker}}'", FORBIDDEN),
    Attempt("generator_frame", "(x for x in []).gi_frame.f_back.f_globals", FORBIDDEN),
    Attempt("generator_send", "(x for x in [1]).send(None)", FORBIDDEN),
    Attempt("traceback_frame",
            "try:\n    1 / 0\nexcept Exception as e:\n    f = e.__traceback__.tb_frame", FORBIDDEN),
    Attempt("with_traceback",
            "try:\n    1 / 0\nexcept Exception as e:\n    e.with_traceback(None)", FORBIDDEN),
    Attempt("lambda_code", "c = (lambda: 0).__code__", FORBIDDEN),
    Attempt("lambda_globals", "g = (lambda: 0).__globals__['__builtins__']", FORBIDDEN),
    Attempt("closure_cell", "c = (lambda: marker).__closure__", FORBIDDEN),
    Attempt("builtins_name", "__builtins__['open'](marker, 'w')", FORBIDDEN),
    Attempt("print_self", "print.__self__", FORBIDDEN),
    Attempt("now_globals", "now.__globals__", FORBIDDEN),
    Attempt("loader", "__loader__.load_module('os')", FORBIDDEN),
    Attempt("spec", "s = __spec__", FORBIDDEN),
    Attempt("module_name", "n = __name__", FORBIDDEN),
    Attempt("reduce_ex", "r = (1).__reduce_ex__(2)", FORBIDDEN),
    Attempt("mro", "int.mro()", FORBIDDEN),
    Attempt("class_method_unbound", "s = str.join('', ['a'])", FORBIDDEN),
    Attempt("unicode_normalised_format",
            "'{0.__class__}'.\U0001d41f\U0001d428\U0001d42b\U0001d426\U0001d41a\U0001d42d(1)",
            FORBIDDEN),
    Attempt("class_definition", "class A:\n    pass", FORBIDDEN),
    Attempt("global_statement", "def f():\n    global marker\n    marker = 1", FORBIDDEN),
    Attempt("decorator", "@print\ndef f():\n    pass", FORBIDDEN),
    Attempt("async_function", "async def f():\n    pass", FORBIDDEN),
    Attempt("yield", "def g():\n    yield 1", FORBIDDEN),
    Attempt("match_class_pattern",
            "match 1:\n    case int(__class__=c):\n        pass", FORBIDDEN),
    Attempt("attribute_assignment", "f = lambda: 0\nf.x = 1", FORBIDDEN),
    Attempt("bytes_literal", "b = b'x' * 10", FORBIDDEN),
    Attempt("deep_nesting", "x = " + "-" * 5000 + "1", FORBIDDEN),
    Attempt("long_source", "x = 1\n" * 5000, FORBIDDEN),
    # The engine's guards must stay out of reach.
    Attempt("rebind_guard", "_sx_tick = print", FORBIDDEN),
    Attempt("walrus_guard", "(_sx_getattr := print)", FORBIDDEN),
    Attempt("guard_parameter", "def f(_sx_iter):\n    return 1", FORBIDDEN),
    Attempt("underscore_loop_name", "for _ in range(3):\n    pass", FORBIDDEN),
    # The wall clock.
    Attempt("datetime_now", "t = datetime.now()", FORBIDDEN),
    Attempt("date_today", "t = date.today()", FORBIDDEN),
    Attempt("datetime_utcnow", "t = datetime.utcnow()", FORBIDDEN),
    Attempt("fromtimestamp", "t = datetime.fromtimestamp(0)", FORBIDDEN),
    Attempt("alias_now", "d = datetime\nt = d.now()", FORBIDDEN),
    # Time.
    Attempt("while_true", "while True:\n    pass", STOPPED),
    Attempt("huge_range", "for i in range(10**12):\n    pass", FORBIDDEN),
    Attempt("recursion_bomb", "f = lambda f: f(f)\nf(f)", FAILED),
    Attempt("call_fan_out",
            "def f(n):\n    return f(n - 1) + f(n - 1) if n else 0\nf(60)", STOPPED),
    Attempt("bare_except_swallows_stop",
            "try:\n    while True:\n        pass\nexcept:\n    pass", FORBIDDEN),
    Attempt("except_exception_swallows_stop",
            "try:\n    while True:\n        pass\nexcept Exception:\n    pass\nx = 1", STOPPED),
    Attempt("name_error_hides_stop",
            "try:\n    try:\n        while True:\n            pass\n"
            "    except undefined:\n        pass\nexcept NameError:\n    pass\nx = 1", STOPPED),
    Attempt("finally_return_hides_stop",
            "def f():\n    try:\n        s = 'a' * 10**10\n    finally:\n        return 1\n"
            "x = f()", FORBIDDEN),
    Attempt("self_extending_loop", "l = [1]\nfor x in l:\n    l.append(x)", STOPPED),
    # Memory.
    Attempt("str_repeat", "s = 'a' * 10**10", FORBIDDEN),
    Attempt("list_repeat", "l = [0] * 10**9", FORBIDDEN),
    Attempt("power_tower", "n = 10**10**10", FORBIDDEN),
    Attempt("left_shift", "n = 1 << 10**9", FORBIDDEN),
    Attempt("int_square_loop", "n = 10**3000\nfor i in range(10):\n    n = n * n", FORBIDDEN),
    Attempt("add_doubling", "s = 'a'\n" + _repeat("s = s + s", 40), FORBIDDEN),
    Attempt("augmented_doubling", "s = ['a']\n" + _repeat("s += s", 40), FORBIDDEN),
    Attempt("join_doubling",
            "s = 'a'\nfor i in range(40):\n    s = ''.join([s, s])", FORBIDDEN),
    Attempt("extend_doubling", "l = [0]\nfor i in range(40):\n    l.extend(l)", FORBIDDEN),
    Attempt("star_doubling", "s = [0]\n" + _repeat("s = [*s, *s]", 40), FORBIDDEN),
    Attempt("fstring_doubling", "s = 'a'\n" + _repeat("s = f'{s}{s}'", 40), FORBIDDEN),
    Attempt("replace_growth", "s = 'a' * 2000\ns = s.replace('a', 'a' * 1000)", FORBIDDEN),
    Attempt("percent_width", "s = '%*d' % (10**9, 1)", FORBIDDEN),
    Attempt("fstring_width", "s = f'{1:>999999999}'", FORBIDDEN),
    Attempt("ljust", "s = 'x'.ljust(10**9)", FORBIDDEN),
    Attempt("maketrans", "t = str.maketrans('a', 'b')", FORBIDDEN),
    Attempt("strftime_width", "s = date(2024, 1, 1).strftime('%999999999Y')", FORBIDDEN),
    Attempt("sum_of_lists", "l = sum([[0] * 1000] * 1000, [])", FAILED),
    Attempt("round_digits", "r = round(1, -10**8)", FAILED),
    Attempt("decimal_exponent", "n = int(Decimal('1e999999999'))", FAILED),
    Attempt("decimal_squaring", "d = Decimal('9e9000')\nd = d * d", FAILED),
    Attempt("int_from_long_text", "n = int('9' * 5000)", FAILED),
    Attempt("list_of_range", "l = list(range(10**8))", FORBIDDEN),
    Attempt("huge_result", "r = ['x' * 999999] * 6", {"error"}),
]

# Filling memory up to the limit takes a while on a slow machine, so these run in a sandbox
# with a smaller memory limit and a longer timeout.
MEMORY_ATTEMPTS = [
    Attempt("list_bomb", "l = [[0] * 900000 for i in range(1000)]", {"memory"}),
    Attempt("string_bomb", "l = ['x' * 999990 + str(i) for i in range(1000)]", {"memory"}),
    Attempt("bomb_caught",
            "try:\n    l = [[0] * 900000 for i in range(1000)]\nexcept Exception:\n    l = 1",
            {"memory"}),
    Attempt("bomb_caught_then_loop",
            "try:\n    l = ['x' * 999990 + str(i) for i in range(1000)]\n"
            "except Exception:\n    l = None\nwhile True:\n    pass",
            {"memory"}),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(timeout_seconds=0.5) as instance:
        yield instance


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[attempt.name for attempt in ATTEMPTS])
def test_escape_is_rejected(sandbox: Sandbox, tmp_path: Path, attempt: Attempt) -> None:
    marker = tmp_path / "marker"
    variables = {"marker": str(marker)}
    with pytest.raises(SandboxError) as caught:
        if attempt.mode == "eval":
            sandbox.evaluate(attempt.source, variables, NOW)
        else:
            sandbox.execute(attempt.source, variables, NOW)
    assert caught.value.kind in attempt.kinds, caught.value.reason
    assert caught.value.reason
    assert not marker.exists()


@pytest.mark.parametrize("attempt", MEMORY_ATTEMPTS,
                         ids=[attempt.name for attempt in MEMORY_ATTEMPTS])
def test_memory_bomb_is_stopped(attempt: Attempt) -> None:
    with Sandbox(timeout_seconds=5.0, memory_mb=128, workers=1) as small:
        with pytest.raises(SandboxError) as caught:
            small.execute(attempt.source, {}, NOW)
        assert caught.value.kind in attempt.kinds, caught.value.reason
        assert small.evaluate("1 + 1", {}, NOW) == 2


def test_distinct_attempts() -> None:
    assert len({attempt.source for attempt in ATTEMPTS}) == len(ATTEMPTS)
    assert len(ATTEMPTS) >= 30


@pytest.mark.parametrize("expression", [
    "datetime.now()", "open", "__import__", "x.__class__", "f'{x:{y}}'", "'%s' % x",
])
def test_expression_escape_is_rejected(sandbox: Sandbox, expression: str) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.evaluate(expression, {"x": 1, "y": ">5"}, NOW)
    assert caught.value.kind == "forbidden"


def test_passwd_contents_never_returned(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError):
        sandbox.evaluate("open('/etc/passwd').read()", {}, NOW)
    with pytest.raises(SandboxError):
        sandbox.execute("data = [line for line in open('/etc/passwd')]", {}, NOW)


# --- the run-time layer on its own -----------------------------------------------------------
# These call the guards directly, as if a construct had slipped past the static rules.

@pytest.mark.parametrize(("value", "name"), [
    ((), "__class__"),
    ("", "format"),
    (str, "join"),
    (sandbox_builtins.now, "__globals__"),
    (sandbox_builtins.ignore_print, "__self__"),
    (Exception(), "with_traceback"),
    (Exception(), "__traceback__"),
    ((x for x in []), "gi_frame"),
    (datetime, "now"),
    (datetime, "fromtimestamp"),
    ({}.keys(), "mapping"),
])
def test_runtime_attribute_guard(value: object, name: str) -> None:
    sandbox_guards.begin_job()
    with pytest.raises(sandbox_guards.GuardStop) as caught:
        sandbox_guards.guarded_getattr(value, name)
    assert caught.value.kind == "forbidden"


@pytest.mark.parametrize(("symbol", "left", "right"), [
    ("*", "a", 10**7),
    ("*", 10**7, [0]),
    ("+", "a" * 600_000, "b" * 600_000),
    ("**", 10, 10**5),
    ("<<", 1, 10**5),
    ("%", "%s", 1),
])
def test_runtime_operator_guard(symbol: str, left: object, right: object) -> None:
    sandbox_guards.begin_job()
    with pytest.raises(sandbox_guards.GuardStop) as caught:
        sandbox_guards.binary(symbol, left, right)
    assert caught.value.kind == "forbidden"


def test_runtime_builtins_have_no_way_out() -> None:
    names = sandbox_builtins.build_builtins()
    for name in ("open", "eval", "exec", "compile", "getattr", "type", "vars", "globals",
                 "object", "super", "input", "breakpoint", "help", "exit", "quit"):
        assert name not in names, name


def test_worker_applies_rules_itself() -> None:
    # Send forbidden source straight to a worker, bypassing the engine's own check.
    settings = WorkerSettings(memory_mb=256, timeout_seconds=2.0, max_result_bytes=100_000)
    worker = WorkerProcess(settings)
    try:
        message = (b'{"op":"exec","source":"import os","variables":{},'
                   b'"now":"2024-01-01T00:00:00+00:00"}\n')
        ok, error = parse_reply(worker.exchange(message, 2.0))
        assert ok is False
        assert error.kind == "forbidden"
        assert error.reason == "imports are not allowed (line 1)"
    finally:
        worker.stop()


def test_worker_cannot_spawn_processes() -> None:
    # The limits the worker sets for itself also stop a process started the same way.
    code = (
        "from engine.runtime import sandbox_worker as w\n"
        "w._apply_limits(256, 60)\n"
        "import subprocess\n"
        "try:\n"
        "    subprocess.run(['true'])\n"
        "except OSError as error:\n"
        "    raise SystemExit(type(error).__name__)\n"
        "raise SystemExit('spawned')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    assert "spawned" not in result.stderr
    assert result.returncode != 0


def test_pool_still_works_after_escapes(sandbox: Sandbox) -> None:
    assert sandbox.evaluate("sum(x * 2 for x in items)", {"items": [1, 2, 3]}, NOW) == 12
    assert sandbox.execute("y = x + 1", {"x": 1}, NOW) == {"x": 1, "y": 2}
