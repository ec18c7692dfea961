"""HTTP: task completions per second and latency through the web UI, gunicorn on PostgreSQL.

    .venv/bin/python -m bench.http [--open-tasks 100000] [--seconds 20] [--connections 6]
                                   [--workers 2] [--threads 1] [--worker-class gthread]
                                   [--rounds 5]

Sets up a PostgreSQL database with the demo organisation and `--open-tasks` open tasks
(one looping instance completed through the engine, then copied in SQL with a fresh task
id each), starts gunicorn on 127.0.0.1, logs `--connections` clients in as the assignee,
and has each complete tasks over keep-alive connections for `--seconds`. Each completion
is a form POST with CSRF token; its 302 answer names the instance's next task.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import text

from bench.common import LOOP as COMMON_LOOP
from bench.common import database, make_engine, percentile
from engine.demo import load_organisation

# The shared loop with the task assigned, so completions need no claim first.
LOOP = COMMON_LOOP.replace('camunda:candidateUsers="admin"', 'camunda:assignee="admin"')

_CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')


def copy_open_tasks(engine, count: int) -> None:
    """Copy instance 1 and its open task `count - 1` times.

    Every task id inside each copied state is replaced with a new one, because the library
    has already created the ids of the loop's next steps, and two copies must never reach a
    step with the same id.
    """
    with engine.db.connect() as connection:
        template = connection.execute(text(
            "SELECT * FROM process_instance WHERE id = 1")).mappings().one()
        task = connection.execute(text(
            "SELECT * FROM task WHERE instance_id = 1 AND state = 'open'")).mappings().one()
    ids = sorted(set(_UUID.findall(template["state"])))
    pattern = re.compile("|".join(re.escape(i) for i in ids))

    instance_columns = [c for c in template.keys() if c != "id"]
    task_columns = list(task.keys())
    with engine.db.begin() as connection:
        for batch_start in range(2, count + 1, 5_000):
            instances, tasks = [], []
            for number in range(batch_start, min(batch_start + 5_000, count + 1)):
                mapping = {old: str(uuid.uuid4()) for old in ids}
                row = dict(template)
                row.pop("id")
                row["state"] = pattern.sub(lambda m, ids=mapping: ids[m.group(0)],
                                           template["state"])
                row["business_key"] = f"BENCH-{number}"
                instances.append(row)
                copy = dict(task)
                copy["id"] = mapping[task["id"]]
                copy["business_key"] = row["business_key"]
                tasks.append(copy)
            connection.execute(text(
                f"INSERT INTO process_instance ({', '.join(instance_columns)}) VALUES "
                f"({', '.join(':' + c for c in instance_columns)})"), instances)
            connection.execute(text(
                f"INSERT INTO task ({', '.join(task_columns)}) SELECT "
                + ", ".join("p.id" if c == "instance_id" else f"CAST(:{c} AS {_pg_type(c)})"
                            for c in task_columns)
                + " FROM process_instance p WHERE p.business_key = :business_key"), tasks)
        connection.execute(text("ANALYZE"))


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TASK_TYPES = {"due_at": "timestamptz", "follow_up_at": "timestamptz",
               "created_at": "timestamptz", "claimed_at": "timestamptz",
               "completed_at": "timestamptz", "priority": "integer", "escalated": "boolean",
               "unit_id": "integer", "form_definition_id": "integer"}


def _pg_type(column: str) -> str:
    return _TASK_TYPES.get(column, "text")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Client:
    """One keep-alive HTTP/1.1 connection with a session cookie.

    The cookie is taken from the log-in answer only. A completion's answer sets a cookie
    carrying the flash message for the next page; a browser shows and drops it there, but
    this client never fetches that page, so keeping it would grow the cookie without end.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.keep_cookies = True
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, dict, bytes]:
        if self.writer is None:
            await self.connect()
        assert self.reader and self.writer
        headers = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}",
                   "Connection: keep-alive", f"Content-Length: {len(body)}"]
        if body:
            headers.append("Content-Type: application/x-www-form-urlencoded")
        if self.cookie:
            headers.append(f"Cookie: {self.cookie}")
        self.writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        response_headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _sep, value = line.decode("latin-1").partition(":")
            key = name.strip().lower()
            if key == "set-cookie" and self.keep_cookies:
                self.cookie = value.strip().split(";", 1)[0]
            response_headers[key] = value.strip()
        length = int(response_headers.get("content-length", "0"))
        content = await self.reader.readexactly(length) if length else b""
        if response_headers.get("connection", "").lower() == "close":
            # Reconnect only when the next request is sent: a synchronous gunicorn worker
            # that accepted an idle connection would wait on it instead of serving others.
            self.writer.close()
            self.reader = self.writer = None
        return status, response_headers, content

    async def log_in(self, username: str) -> str:
        _status, _headers, page = await self.request("GET", "/logg-inn")
        token = _CSRF.search(page).group(1).decode()
        body = urlencode({"csrf_token": token, "brukernavn": username,
                          "passord": "demo"}).encode()
        status, _headers, _page = await self.request("POST", "/logg-inn", body)
        assert status == 302, status
        _status, _headers, page = await self.request("GET", "/oppgaver")
        self.keep_cookies = False
        return _CSRF.search(page).group(1).decode()


async def load(port: int, task_ids: list[str], seconds: float, connections: int
               ) -> tuple[list[float], int]:
    queue = list(task_ids)
    latencies: list[float] = []
    errors = 0
    clients = []
    for _index in range(connections):
        client = Client(port)
        clients.append((client, await client.log_in("admin")))
    # The window opens after every client has logged in: a log-in costs a password hash,
    # which is not part of a completion.
    deadline = time.perf_counter() + seconds

    async def worker(client: Client, token: str) -> None:
        nonlocal errors
        body = urlencode({"csrf_token": token}).encode()
        task_id = queue.pop()
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, headers, _content = await client.request("POST", f"/oppgaver/{task_id}",
                                                             body)
            latencies.append(time.perf_counter() - started)
            location = headers.get("location", "")
            if status != 302 or "/oppgaver/" not in location:
                errors += 1
                task_id = queue.pop()
                continue
            task_id = location.rstrip("/").rsplit("/", 1)[1]

    await asyncio.gather(*(worker(client, token) for client, token in clients))
    return latencies, errors


def run(open_tasks: int, seconds: float, connections: int, workers: int,
        threads: int, worker_class: str = "sync", rounds: int = 1) -> dict[str, float]:
    """Run `rounds` windows of `seconds` against one server and database, and print each
    window and the median rate. Single windows on a small shared machine vary by tens of
    percent."""
    with database("postgresql") as url:
        engine = make_engine(url)
        try:
            load_organisation(engine)
            engine.repository.deploy([("loop.bpmn", LOOP.encode())])
            engine.runtime.start("loop", "admin", {"ferdig": False})
            copy_open_tasks(engine, open_tasks)
            with engine.db.connect() as connection:
                task_ids = list(connection.execute(text(
                    "SELECT id FROM task WHERE state = 'open' ORDER BY random() LIMIT :n"),
                    {"n": connections * 4 * rounds}).scalars())
        finally:
            engine.close()

        port = free_port()
        env = {**os.environ, "SLOYFE_DATABASE_URL": url, "SLOYFE_SECRET_KEY": "bench",
               "SLOYFE_SMTP_HOST": ""}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        # The request log goes to a file, as in production, not to a terminal.
        server_log = Path(tempfile.gettempdir()) / "sloyfe-bench-http-server.log"
        with open(server_log, "w") as log_file:
            server = subprocess.Popen(
                [str(gunicorn), "-w", str(workers), "-k", worker_class,
                 "--threads", str(threads), "-b", f"127.0.0.1:{port}",
                 "--log-level", "warning", "engine.wsgi:application"],
                env=env, start_new_session=True, stderr=log_file)
        try:
            for _attempt in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            results = []
            for number in range(rounds):
                batch = task_ids[number * connections * 4:(number + 1) * connections * 4]
                latencies, errors = asyncio.run(load(port, batch, seconds, connections))
                results.append({"rate": len(latencies) / seconds,
                                "p50_ms": percentile(latencies, 0.5) * 1000,
                                "p99_ms": percentile(latencies, 0.99) * 1000,
                                "errors": errors})
                print(f"round {number + 1}: {results[-1]['rate']:.0f} completions/s, "
                      f"p50 {results[-1]['p50_ms']:.1f} ms, p99 {results[-1]['p99_ms']:.1f} ms, "
                      f"errors {errors}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    result = {"rate": statistics.median(r["rate"] for r in results),
              "p50_ms": statistics.median(r["p50_ms"] for r in results),
              "p99_ms": statistics.median(r["p99_ms"] for r in results),
              "errors": sum(r["errors"] for r in results)}
    print(f"{open_tasks} open tasks, {connections} connections, gunicorn -w {workers} "
          f"-k {worker_class} --threads {threads}, median of {rounds} x {seconds:.0f} s: "
          f"{result['rate']:.0f} completions/s, p50 {result['p50_ms']:.1f} ms, "
          f"p99 {result['p99_ms']:.1f} ms, errors {result['errors']} "
          f"(server log {server_log}; target: at least 300/s with p99 under 100 ms)")
    return result


def main() -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open-tasks", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="gthread", choices=("sync", "gthread"))
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    return run(arguments.open_tasks, arguments.seconds, arguments.connections,
               arguments.workers, arguments.threads, arguments.worker_class, arguments.rounds)


if __name__ == "__main__":
    main()
