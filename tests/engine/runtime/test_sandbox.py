"""Normal behaviour of the sandbox: values, dates, scripts, errors and the worker pool."""

from __future__ import annotations

import copy
import json
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from engine.runtime.sandbox import Sandbox, SandboxError
from engine.runtime.sandbox_pool import WorkerPool, WorkerProcess, WorkerSettings

NOW = datetime(2024, 5, 17, 10, 30, tzinfo=UTC)
# Integers that all hash alike make building a set quadratic inside a single C call.
COLLIDING_SET = "m = 2 ** 61 - 1\nn = len(set(range(0, m * {count}, m)))"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(timeout_seconds=2.0) as instance:
        yield instance


def _request(script: str) -> bytes:
    message = {"op": "exec", "source": script, "variables": {}, "now": NOW.isoformat()}
    return json.dumps(message).encode() + b"\n"


def evaluate(sandbox: Sandbox, expression: str, **variables: object) -> object:
    return sandbox.evaluate(expression, variables, NOW)


# --- expressions ------------------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "expected"), [
    ("2 + 3 * 4", 14),
    ("7 // 2", 3),
    ("-7 % 3", 2),
    ("2 ** 10", 1024),
    ("10 / 4", 2.5),
    ("abs(-3) + max(1, 5) + min([4, 2]) + sum([1, 2, 3])", 16),
    ("round(2.675, 2)", 2.67),
    ("len('æøå')", 3),
])
def test_evaluate_arithmetic(sandbox: Sandbox, expression: str, expected: object) -> None:
    assert evaluate(sandbox, expression) == expected


@pytest.mark.parametrize(("expression", "expected"), [
    ("approved == True", True),
    ("kind in ('HMS', 'tjeneste')", True),
    ("kind not in ['HMS']", True),
    ("amount >= 1000 and not approved", False),
    ("person['age'] > 17", True),
    ("items[-1] == 3", True),
    ("missing is not None or amount < 0", False),
    ("(amount, kind)", [1500, "tjeneste"]),
])
def test_evaluate_comparisons(sandbox: Sandbox, expression: str, expected: object) -> None:
    variables = {"approved": True, "kind": "tjeneste", "amount": 1500,
                 "person": {"age": 18}, "items": [1, 2, 3], "missing": None}
    assert sandbox.evaluate(expression, variables, NOW) == expected


def test_trivial_expression_needs_no_worker() -> None:
    with Sandbox() as fresh:
        assert fresh.evaluate("kind in ('HMS', 'tjeneste')", {"kind": "HMS"}, NOW) is True
        assert fresh.worker_pids() == []


def test_trivial_expression_result_is_a_copy(sandbox: Sandbox) -> None:
    items = [1, [2, 3]]
    result = sandbox.evaluate("items", {"items": items}, NOW)
    assert result == items
    assert result is not items
    assert result[1] is not items[1]


@pytest.mark.parametrize(("expression", "expected"), [
    ("name.strip().upper()", "KARI NORDMANN"),
    ("', '.join(tags)", "HMS, avvik"),
    ("name.replace('Kari', 'Ola').strip()", "Ola Nordmann"),
    ("name.split()", ["Kari", "Nordmann"]),
    ("name.strip().startswith('Kari')", True),
    ("f'{amount:.2f} kr'", "1234.50 kr"),
    ("f'{name.strip()!r:>16}'", " 'Kari Nordmann'"),
    ("f'{now():%d.%m.%Y}'", "17.05.2024"),
])
def test_evaluate_string_methods(sandbox: Sandbox, expression: str, expected: object) -> None:
    variables = {"name": "  Kari Nordmann ", "tags": ["HMS", "avvik"], "amount": 1234.5}
    assert sandbox.evaluate(expression, variables, NOW) == expected


def test_evaluate_comprehensions(sandbox: Sandbox) -> None:
    variables = {"items": [1, 2, 3, 4], "prices": {"a": 10, "b": 20}}
    assert sandbox.evaluate("[x * 2 for x in items if x > 2]", variables, NOW) == [6, 8]
    assert sandbox.evaluate("{k: v + 1 for k, v in prices.items()}", variables, NOW) == {
        "a": 11, "b": 21,
    }
    assert sandbox.evaluate("any(x > 3 for x in items)", variables, NOW) is True
    assert sandbox.evaluate("sorted({x % 2 for x in items})", variables, NOW) == [0, 1]


# --- dates, times and Decimal -----------------------------------------------------------------

def test_now_plus_72_hours(sandbox: Sandbox) -> None:
    result = evaluate(sandbox, "now() + timedelta(hours=72)")
    assert result == NOW + timedelta(hours=72)
    assert result.tzinfo is not None


def test_now_is_the_engine_clock(sandbox: Sandbox) -> None:
    moment = datetime(1999, 12, 31, 23, 0, tzinfo=UTC)
    assert sandbox.evaluate("now()", {}, moment) == moment


def test_naive_now_is_taken_as_utc(sandbox: Sandbox) -> None:
    result = sandbox.evaluate("now()", {}, datetime(2024, 1, 1, 12, 0))
    assert result == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("utc", "expected"), [
    (datetime(2024, 3, 30, 22, 59), date(2024, 3, 30)),   # 23:59 CET
    (datetime(2024, 3, 30, 23, 0), date(2024, 3, 31)),    # 00:00 CET, the DST night
    (datetime(2024, 3, 31, 21, 59), date(2024, 3, 31)),   # 23:59 CEST
    (datetime(2024, 3, 31, 22, 0), date(2024, 4, 1)),     # 00:00 CEST
    (datetime(2024, 10, 26, 21, 59), date(2024, 10, 26)),  # 23:59 CEST
    (datetime(2024, 10, 26, 22, 0), date(2024, 10, 27)),  # 00:00 CEST, the DST night
    (datetime(2024, 10, 27, 22, 59), date(2024, 10, 27)),  # 23:59 CET
    (datetime(2024, 10, 27, 23, 0), date(2024, 10, 28)),  # 00:00 CET
])
def test_today_is_oslo_date_across_dst(sandbox: Sandbox, utc: datetime, expected: date) -> None:
    assert sandbox.evaluate("today()", {}, utc.replace(tzinfo=UTC)) == expected


def test_date_arithmetic(sandbox: Sandbox) -> None:
    variables = {"start": date(2024, 2, 27), "received": datetime(2024, 1, 1, 8, 0)}
    assert sandbox.evaluate("start + timedelta(days=3)", variables, NOW) == date(2024, 3, 1)
    assert sandbox.evaluate("(today() - start).days", variables, NOW) == 80
    assert sandbox.evaluate("received.isocalendar().week", variables, NOW) == 1
    assert sandbox.evaluate(
        "datetime.strptime('31.12.2024', '%d.%m.%Y').date()", variables, NOW
    ) == date(2024, 12, 31)
    assert sandbox.evaluate("date.fromisoformat('2024-06-01').weekday()", {}, NOW) == 5


def test_decimal_arithmetic(sandbox: Sandbox) -> None:
    result = evaluate(sandbox, "Decimal('0.1') + Decimal('0.2')")
    assert result == Decimal("0.3")
    assert isinstance(result, Decimal)
    assert evaluate(sandbox, "(price * 3).quantize(Decimal('0.01'))",
                    price=Decimal("19.999")) == Decimal("60.00")


def test_values_cross_unchanged(sandbox: Sandbox) -> None:
    variables = {
        "none": None, "flag": True, "count": 3, "ratio": 0.25, "text": "blåbær",
        "items": [1, "a", [2.5]], "mapping": {"a": {"b": [None]}},
        "aware": datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=ZoneInfo("Europe/Oslo")),
        "naive": datetime(2024, 1, 2, 3, 4, 5), "day": date(2024, 2, 29),
        "clock": time(13, 45, 1), "span": timedelta(days=-1, seconds=5, microseconds=7),
        "money": Decimal("-1234.5600"), "tagged": {"$sx": "date", "v": "2024-01-01"},
    }
    result = sandbox.execute("pass", variables, NOW)
    assert result == variables
    assert result["naive"].tzinfo is None
    assert result["aware"].utcoffset() == timedelta(hours=1)
    assert str(result["money"]) == "-1234.5600"
    assert isinstance(result["tagged"], dict)


def test_decimal_underflow_crosses(sandbox: Sandbox) -> None:
    result = evaluate(sandbox, "Decimal('1e-9000') * Decimal('1e-9000')")
    assert result == 0
    assert isinstance(result, Decimal)


def test_huge_integer_result_is_an_error(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        evaluate(sandbox, "int(Decimal('9e9999'))")
    assert caught.value.kind == "error"
    assert caught.value.reason == (
        "the result is an integer of more than 14000 bits, too large to pass on"
    )


def test_tuple_result_becomes_list(sandbox: Sandbox) -> None:
    assert evaluate(sandbox, "tuple([1, 2])") == [1, 2]


# --- scripts ----------------------------------------------------------------------------------

def test_execute_adds_changes_and_deletes(sandbox: Sandbox) -> None:
    variables = {"keep": 1, "change": [1], "remove": "x"}
    script = "change.append(2)\nadded = keep + 1\ndel remove\n"
    result = sandbox.execute(script, variables, NOW)
    assert result == {"keep": 1, "change": [1, 2], "added": 2}
    assert variables == {"keep": 1, "change": [1], "remove": "x"}


def test_execute_drops_functions(sandbox: Sandbox) -> None:
    script = "def double(v):\n    return v * 2\nresult = double(21)\nalias = len\n"
    assert sandbox.execute(script, {}, NOW) == {"result": 42}


def test_execute_keeps_hidden_variables(sandbox: Sandbox) -> None:
    hidden = object()
    result = sandbox.execute("x = 1", {"_hidden": hidden}, NOW)
    assert result["_hidden"] is hidden
    assert result["x"] == 1


def test_execute_indented_script(sandbox: Sandbox) -> None:
    script = "\n    total = 0\n    for i in range(4):\n        total += i\n"
    assert sandbox.execute(script, {}, NOW) == {"total": 6, "i": 3}


def test_execute_try_except(sandbox: Sandbox) -> None:
    script = "try:\n    value = {}['k']\nexcept KeyError as error:\n    value = error.args[0]\n"
    assert sandbox.execute(script, {}, NOW) == {"value": "k"}


def test_execute_augmented_subscript(sandbox: Sandbox) -> None:
    script = "counts['a'] += 2\ncounts['b'] = counts.get('b', 0) + 1\nrow[1:2] += [9]\n"
    result = sandbox.execute(script, {"counts": {"a": 1}, "row": [1, 2]}, NOW)
    assert result == {"counts": {"a": 3, "b": 1}, "row": [1, 2, 9]}


def test_execute_print_is_ignored(sandbox: Sandbox) -> None:
    assert sandbox.execute("print('hei', 1)\nx = 1", {}, NOW) == {"x": 1}


def test_failing_script_leaves_variables_unchanged(sandbox: Sandbox) -> None:
    variables = {"items": [1, 2], "meta": {"a": 1}}
    before = copy.deepcopy(variables)
    with pytest.raises(SandboxError):
        sandbox.execute("items.append(3)\nmeta['b'] = 2\nnew = 1\n1 / 0", variables, NOW)
    assert variables == before


def test_state_does_not_leak_between_runs(sandbox: Sandbox) -> None:
    sandbox.execute("leaked = 1\nsorted = None", {}, NOW)
    with pytest.raises(SandboxError) as caught:
        sandbox.evaluate("leaked + 1", {}, NOW)
    assert caught.value.kind == "error"
    assert sandbox.evaluate("sorted([2, 1])", {}, NOW) == [1, 2]


# --- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("script", "exception", "line"), [
    ("x = 1\ny = undefined + 1", "NameError: name 'undefined' is not defined", 2),
    ("data = {}\n\nvalue = data['missing']", "KeyError: 'missing'", 3),
    ("a = 1\nb = 0\nc = a / b", "ZeroDivisionError: division by zero", 3),
    ("def f(v):\n    return v[5]\nf([1])", "IndexError: list index out of range", 2),
    ("raise ValueError('the amount is negative')", "ValueError: the amount is negative", 1),
    ("x = Decimal('12,50')", "InvalidOperation: invalid Decimal text", 1),
    ("d = Decimal(1)\n\nx = d / 0", "DivisionByZero: division by zero", 3),
    ("d = Decimal('9e9000')\nx = d * d", "Overflow: the Decimal exponent would exceed 9999", 2),
])
def test_script_errors_name_the_line(sandbox: Sandbox, script: str, exception: str,
                                     line: int) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.execute(script, {}, NOW)
    assert caught.value.kind == "error"
    assert caught.value.line == line
    assert caught.value.reason == f"{exception} (line {line})"


def test_trivial_expression_errors(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.evaluate("person['name'] == 'Kari'", {"person": {}}, NOW)
    assert caught.value.kind == "error"
    assert caught.value.reason == "KeyError: 'name' (line 1)"


def test_syntax_error(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.execute("x = 1\nif x\n    y = 2", {}, NOW)
    assert caught.value.kind == "syntax"
    assert caught.value.line == 2
    assert "line 2" in caught.value.reason


@pytest.mark.parametrize(("script", "line"), [
    ("x = 1\nreturn x", 2),
    ("break", 1),
    ("def f():\n    pass\n\ncontinue", 4),
])
def test_compiler_errors_are_syntax(sandbox: Sandbox, script: str, line: int) -> None:
    with pytest.raises(SandboxError) as checked:
        sandbox.check(script, "exec")
    assert checked.value.kind == "syntax"
    assert checked.value.line == line
    with pytest.raises(SandboxError) as executed:
        sandbox.execute(script, {}, NOW)
    assert executed.value.kind == "syntax"


def test_check_rejects_at_deploy_time(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.check("x = 1\nimport os", "exec")
    assert caught.value.kind == "forbidden"
    assert caught.value.reason == "imports are not allowed (line 2)"
    assert caught.value.line == 2


def test_check_accepts_valid_code(sandbox: Sandbox) -> None:
    assert sandbox.check("amount > 1000 and kind == 'HMS'", "eval") is None
    assert sandbox.check("total = sum(x['price'] for x in items)", "exec") is None


def test_check_rejects_script_in_eval_mode(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.check("x = 1", "eval")
    assert caught.value.kind == "syntax"


@pytest.mark.parametrize(("expression", "fragment"), [
    ("lambda: 1", "the result is a function"),
    ("{1, 2}", "the result is a set"),
    ("(x for x in [1])", "the result has the type generator"),
    ("{1: 'a'}", "keys must be strings"),
])
def test_unsupported_results_are_errors(sandbox: Sandbox, expression: str,
                                        fragment: str) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.evaluate(expression, {}, NOW)
    assert caught.value.kind == "error"
    assert fragment in caught.value.reason


def test_unsupported_variable_is_an_error(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.execute("x = 1", {"tags": {"a", "b"}}, NOW)
    assert caught.value.kind == "error"
    assert caught.value.reason.startswith("the variable 'tags' is a set")


def test_set_in_script_result_is_an_error(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.execute("tags = {'a'}", {}, NOW)
    assert caught.value.kind == "error"
    assert "the variable 'tags' is a set" in caught.value.reason


# --- worker pool ------------------------------------------------------------------------------

def test_concurrent_evaluations() -> None:
    with Sandbox(workers=2) as pool_sandbox:
        with ThreadPoolExecutor(max_workers=8) as executor:
            results = list(executor.map(
                lambda n: pool_sandbox.evaluate("n * 2 + 1", {"n": n}, NOW), range(40)
            ))
        assert results == [n * 2 + 1 for n in range(40)]
        assert len(pool_sandbox.worker_pids()) <= 2


def test_killed_worker_is_replaced() -> None:
    with Sandbox(workers=1) as single:
        assert single.evaluate("1 + 1", {}, NOW) == 2
        [pid] = single.worker_pids()
        os.kill(pid, signal.SIGKILL)
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        assert single.evaluate("2 + 2", {}, NOW) == 4
        assert single.worker_pids() != [pid]


def test_timeout_kills_a_worker_busy_in_c_code() -> None:
    # The set is built inside one C call, so only the parent's wall-clock timeout stops it.
    with Sandbox(timeout_seconds=0.5, workers=1) as limited:
        assert limited.evaluate("1 + 1", {}, NOW) == 2
        [pid] = limited.worker_pids()
        with pytest.raises(SandboxError) as caught:
            limited.execute(COLLIDING_SET.format(count=50_000), {}, NOW)
        assert caught.value.kind == "timeout"
        assert caught.value.reason == "the script ran longer than 0.5 seconds"
        assert pid not in limited.worker_pids()
        assert limited.evaluate("3 + 3", {}, NOW) == 6


def test_pool_works_after_fork(sandbox: Sandbox) -> None:
    assert sandbox.evaluate("1 + 1", {}, NOW) == 2
    parent_pids = sandbox.worker_pids()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child process
        try:
            os.close(read_end)
            value = sandbox.evaluate("20 + 22", {}, NOW)
            report = {"value": value, "pids": sandbox.worker_pids()}
            os.write(write_end, json.dumps(report).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        report = json.loads(reader.read() or b"{}")
    os.waitpid(child, 0)
    assert report.get("value") == 42
    assert report.get("pids")
    assert not set(report["pids"]) & set(parent_pids)
    assert sandbox.evaluate("2 + 2", {}, NOW) == 4


def test_worker_retires_after_its_cpu_threshold() -> None:
    settings = WorkerSettings(memory_mb=256, timeout_seconds=20.0, max_result_bytes=10_000,
                              cpu_budget_seconds=30, retire_after_cpu_seconds=0.2)
    worker = WorkerProcess(settings)
    try:
        reply = worker.exchange(_request(COLLIDING_SET.format(count=15_000)), 20.0)
        assert reply["ok"] is True
        assert reply["retire"] is True
        assert worker.process.wait(timeout=5.0) == 0
    finally:
        worker.kill("test finished")


def test_worker_below_its_cpu_threshold_stays() -> None:
    settings = WorkerSettings(memory_mb=256, timeout_seconds=20.0, max_result_bytes=10_000,
                              cpu_budget_seconds=30, retire_after_cpu_seconds=25.0)
    worker = WorkerProcess(settings)
    try:
        reply = worker.exchange(_request("result = 1"), 20.0)
        assert "retire" not in reply
    finally:
        worker.kill("test finished")


def test_cpu_limit_is_reported_as_timeout() -> None:
    settings = WorkerSettings(memory_mb=256, timeout_seconds=20.0, max_result_bytes=10_000,
                              cpu_budget_seconds=1)
    pool = WorkerPool(1, settings)
    try:
        with pytest.raises(SandboxError) as caught:
            pool.request(json.loads(_request(COLLIDING_SET.format(count=40_000))))
        assert caught.value.kind == "timeout"
        assert caught.value.reason == "the sandbox worker used up its CPU time limit"
    finally:
        pool.close()


class _GenerousWorkerSettings(WorkerSettings):
    """Lets the worker send replies far larger than the parent accepts."""

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--max-result-bytes") + 1] = "10000000"
        return command


def test_parent_caps_reply_size() -> None:
    settings = _GenerousWorkerSettings(memory_mb=256, timeout_seconds=5.0,
                                       max_result_bytes=1_000)
    worker = WorkerProcess(settings)
    try:
        with pytest.raises(ValueError, match="larger than"):
            worker.exchange(_request("text = 'x' * 100000"), 5.0)
    finally:
        worker.kill("test finished")


def _limits(pid: int) -> dict[str, str]:
    limits = {}
    with open(f"/proc/{pid}/limits") as handle:
        for row in handle.readlines()[1:]:
            limits[row[:26].strip()] = row[26:47].strip()
    return limits


@pytest.mark.skipif(not os.path.exists("/proc/self/limits"), reason="needs Linux /proc")
def test_worker_resource_limits() -> None:
    with Sandbox(memory_mb=128, workers=1) as limited:
        limited.evaluate("1 + 1", {}, NOW)
        [pid] = limited.worker_pids()
        limits = _limits(pid)
        assert limits["Max address space"] == str(128 * 1024 * 1024)
        assert limits["Max open files"] == "3"
        assert limits["Max file size"] == "0"
        assert limits["Max processes"] == "0"
        assert limits["Max cpu time"] != "unlimited"


@pytest.mark.skipif(os.geteuid() != 0, reason="privileges are dropped only when run as root")
def test_worker_drops_root() -> None:
    with Sandbox(workers=1) as limited:
        limited.evaluate("1 + 1", {}, NOW)
        [pid] = limited.worker_pids()
        with open(f"/proc/{pid}/status") as handle:
            uid_line = next(row for row in handle if row.startswith("Uid:"))
        assert uid_line.split()[1:] == ["65534"] * 4


def test_closed_sandbox_rejects_worker_requests() -> None:
    closed = Sandbox()
    closed.close()
    with pytest.raises(RuntimeError):
        closed.evaluate("1 + 1", {}, NOW)
