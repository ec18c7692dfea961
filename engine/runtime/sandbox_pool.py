"""A thread-safe pool of long-lived sandbox worker processes.

Each worker runs `python -m engine.runtime.sandbox_worker` with a minimal environment and
talks one JSON line per request and reply. The parent enforces the wall-clock timeout by
killing the worker, caps how much of a reply it reads, and starts workers lazily, so a killed
or crashed worker is replaced on the next request. After os.fork() the child drops its
references to the parent's workers and starts its own.
"""

from __future__ import annotations

import logging
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.runtime import sandbox_codec
from engine.runtime.sandbox_codec import CodecError
from engine.runtime.sandbox_rules import ERROR_KINDS, MAX_REASON_CHARS, SandboxError

logger = logging.getLogger(__name__)

WORKER_MODULE = "engine.runtime.sandbox_worker"
MEMORY_EXIT_CODE = 3  # sandbox_worker exits with this code when it runs out of memory
READ_CHUNK_BYTES = 65_536
# The directory that contains the `engine` package. The worker starts there, so that
# `-m engine.runtime.sandbox_worker` resolves without PYTHONPATH.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class WorkerSettings:
    memory_mb: int
    timeout_seconds: float
    max_result_bytes: int
    startup_timeout_seconds: float = 10.0
    # CPU seconds for the life of a worker (RLIMIT_CPU); 0 derives it from the timeout.
    cpu_budget_seconds: int = 0
    # CPU seconds after which the worker retires; 0 means half of the budget, so the other
    # half stays as the backstop for a single run.
    retire_after_cpu_seconds: float = 0.0

    @property
    def cpu_seconds(self) -> int:
        return self.cpu_budget_seconds or max(60, math.ceil(self.timeout_seconds * 20))

    @property
    def retire_after(self) -> float:
        return self.retire_after_cpu_seconds or self.cpu_seconds / 2

    def command(self) -> list[str]:
        return [
            sys.executable, "-E", "-s", "-m", WORKER_MODULE,
            "--memory-mb", str(self.memory_mb),
            "--cpu-seconds", str(self.cpu_seconds),
            "--retire-after-cpu-seconds", repr(self.retire_after),
            "--max-result-bytes", str(self.max_result_bytes),
        ]


class WorkerProcess:
    """One worker subprocess and the two pipes to it."""

    def __init__(self, settings: WorkerSettings) -> None:
        self._settings = settings
        self._buffer = bytearray()
        self.retiring = False
        started = time.monotonic()
        self.process = subprocess.Popen(
            settings.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            cwd=PROJECT_ROOT,
            env={"PATH": os.defpath, "LC_ALL": "C.UTF-8", "TZ": "UTC"},
            start_new_session=True,
        )
        self.pid = self.process.pid
        self.started_at = started
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin = self.process.stdin.fileno()
        self._stdout = self.process.stdout.fileno()
        os.set_blocking(self._stdin, False)

        deadline = started + settings.startup_timeout_seconds
        try:
            ready = sandbox_codec.loads(self._read_line(deadline, limit=4096))
        except (TimeoutError, EOFError, CodecError, ValueError) as error:
            self.kill("start failed")
            raise SandboxError(
                "error", f"the sandbox worker failed to start: {error or type(error).__name__}"
            ) from None
        uid = ready.get("uid") if isinstance(ready, dict) else None
        logger.info("sandbox worker started pid=%d uid=%s elapsed_ms=%.1f",
                    self.pid, uid, (time.monotonic() - started) * 1000)

    def alive(self) -> bool:
        return self.process.poll() is None

    def exchange(self, message: bytes, timeout: float) -> Any:
        """Send one request and return the parsed reply.

        Raises TimeoutError, EOFError (the worker exited), or ValueError (the reply was too
        large or not valid JSON). The caller must kill the worker after any of them.
        """
        deadline = time.monotonic() + timeout
        self._write_all(message, deadline)
        line = self._read_line(deadline, limit=self._settings.max_result_bytes + 1024)
        if self._buffer:
            raise ValueError("the worker sent data after its reply")
        try:
            return sandbox_codec.loads(line)
        except CodecError as error:
            raise ValueError(f"the worker sent an invalid reply: {error}") from None

    def _write_all(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("timed out writing the request")
            if not _wait_for(self._stdin, select.POLLOUT, remaining):
                continue
            try:
                written = os.write(self._stdin, view)
            except BlockingIOError:
                continue
            except BrokenPipeError:
                raise EOFError("the worker closed its input") from None
            view = view[written:]

    def _read_line(self, deadline: float, limit: int) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return line
            if len(self._buffer) > limit:
                raise ValueError(f"the reply is larger than {limit} bytes")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("timed out waiting for the worker")
            if not _wait_for(self._stdout, select.POLLIN, remaining):
                continue
            chunk = os.read(self._stdout, READ_CHUNK_BYTES)
            if not chunk:
                raise EOFError("the worker exited")
            self._buffer += chunk

    def exit_description(self) -> tuple[str, str]:
        """Return the error kind and reason for a worker that exited unexpectedly."""
        try:
            code = self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return "error", "the sandbox worker stopped responding"
        if code == MEMORY_EXIT_CODE:
            return "memory", "the sandbox worker ran out of memory"
        if code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS):
            # The kernel's out-of-memory killer and failed allocations end up here.
            name = signal.Signals(-code).name
            return "memory", f"the sandbox worker was killed by {name}, likely out of memory"
        if code == -signal.SIGXCPU:
            return "timeout", "the sandbox worker used up its CPU time limit"
        if code < 0:
            return "error", f"the sandbox worker was killed by {signal.Signals(-code).name}"
        return "error", f"the sandbox worker exited with code {code}"

    def kill(self, reason: str, elapsed_ms: float | None = None) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._close_pipes()
        logger.warning("sandbox worker killed pid=%d reason=%s elapsed_ms=%s",
                       self.pid, reason, "-" if elapsed_ms is None else f"{elapsed_ms:.1f}")

    def stop(self) -> None:
        """Close the worker's input so it exits, and kill it if it does not within a second."""
        self._close_pipes()
        try:
            self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        logger.info("sandbox worker stopped pid=%d elapsed_ms=%.1f",
                    self.pid, (time.monotonic() - self.started_at) * 1000)

    def abandon(self) -> None:
        """Forget a worker that belongs to the parent of a forked process."""
        self._close_pipes()
        self.process.returncode = 0  # keeps Popen from waiting for another process's child

    def _close_pipes(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None and not stream.closed:
                try:
                    stream.close()
                except OSError:
                    pass


def _wait_for(fd: int, event: int, timeout: float) -> bool:
    # poll() rather than select(), which fails for descriptors above 1023 in a busy server.
    poller = select.poll()
    poller.register(fd, event)
    return bool(poller.poll(max(timeout, 0.0) * 1000))


def parse_reply(reply: Any) -> tuple[bool, Any]:
    """Validate a worker reply; return (True, value) or (False, SandboxError)."""
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        raise ValueError("the worker sent a reply without a status")
    if reply["ok"]:
        return True, reply.get("value")
    kind, reason, line = reply.get("kind"), reply.get("reason"), reply.get("line")
    if kind not in ERROR_KINDS or not isinstance(reason, str):
        raise ValueError("the worker sent an error reply without a valid kind and reason")
    if not (line is None or (type(line) is int and line > 0)):
        line = None
    return False, SandboxError(kind, reason[: MAX_REASON_CHARS + 100], line)


class WorkerPool:
    """At most `size` workers, shared by all threads of one process."""

    def __init__(self, size: int, settings: WorkerSettings) -> None:
        self._size = size
        self._settings = settings
        self._reset()
        reference = weakref.ref(self)

        def after_fork() -> None:
            pool = reference()
            if pool is not None:
                pool._forget_after_fork()

        os.register_at_fork(after_in_child=after_fork)

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._started = 0
        self._closed = False
        self._pid = os.getpid()

    def _forget_after_fork(self) -> None:
        for worker in [*self._idle, *self._busy]:
            worker.abandon()
        closed = self._closed
        self._reset()
        self._closed = closed

    def worker_pids(self) -> list[int]:
        with self._condition:
            return sorted(worker.pid for worker in [*self._idle, *self._busy])

    def request(self, message: dict[str, Any]) -> Any:
        """Run one request on a worker; return the reply's value or raise SandboxError."""
        data = sandbox_codec.dumps(message)
        worker = self._acquire()
        keep = False
        started = time.monotonic()
        try:
            reply = worker.exchange(data, self._settings.timeout_seconds)
            ok, result = parse_reply(reply)
            keep = not reply.get("retire") and (ok or result.kind != "memory")
        except TimeoutError:
            worker.kill("timeout", (time.monotonic() - started) * 1000)
            seconds = self._settings.timeout_seconds
            raise SandboxError("timeout", f"the script ran longer than {seconds} seconds") from None
        except EOFError:
            kind, reason = worker.exit_description()
            worker.kill("exited", (time.monotonic() - started) * 1000)
            raise SandboxError(kind, reason) from None  # type: ignore[arg-type]
        except ValueError as error:
            worker.kill("invalid reply", (time.monotonic() - started) * 1000)
            raise SandboxError("error", str(error)) from None
        finally:
            self._release(worker, keep)

        if not ok:
            raise result
        return result

    def _acquire(self) -> WorkerProcess:
        if self._pid != os.getpid():
            self._forget_after_fork()
        with self._condition:
            while True:
                if self._closed:
                    raise RuntimeError("the sandbox is closed")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        self._busy.add(worker)
                        return worker
                    worker.kill("exited while idle")
                    self._started -= 1
                if self._started < self._size:
                    self._started += 1
                    break
                self._condition.wait()

        try:
            worker = WorkerProcess(self._settings)
        except BaseException:
            with self._condition:
                self._started -= 1
                self._condition.notify()
            raise
        with self._condition:
            self._busy.add(worker)
        return worker

    def _release(self, worker: WorkerProcess, keep: bool) -> None:
        with self._condition:
            self._busy.discard(worker)
            keep = keep and not self._closed and worker.alive()
            if keep:
                self._idle.append(worker)
            else:
                self._started -= 1
            self._condition.notify()
        if not keep and worker.alive():
            worker.stop()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._started -= len(idle)
            self._condition.notify_all()
        for worker in idle:
            worker.stop()
