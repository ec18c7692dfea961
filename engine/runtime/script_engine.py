"""SpiffWorkflow's script engine, backed by the sandbox and the engine clock."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.errors import ScriptError
from engine.runtime import expressions
from engine.runtime.clock import Clock
from engine.runtime.sandbox import Sandbox, SandboxError


def _element_id(task: Any) -> str:
    spec = getattr(task, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(spec, "name", "") or ""


class SandboxScriptEngine(PythonScriptEngine):
    """Evaluates every condition, timer expression and script task inside the sandbox."""

    def __init__(self, sandbox: Sandbox, clock: Clock) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.clock = clock

    def validate(self, expression: str) -> None:
        self.sandbox.check(expressions.python_source(expression), "eval")

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        variables = dict(task.data)
        if external_context:
            variables.update(external_context)
        source = expressions.python_source(expression)
        try:
            return self.sandbox.evaluate(source, variables, self.clock.now())
        except SandboxError as error:
            raise _script_error(error, task) from None

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        variables = dict(task.data)
        try:
            result = self.sandbox.execute(script, variables, self.clock.now())
        except SandboxError as error:
            raise _script_error(error, task) from None
        task.data.clear()
        task.data.update(result)
        return True

    def evaluate_template(self, task: Any, text: str) -> Any:
        """Resolve a Camunda attribute value or timer text with `${...}` parts, else Python."""
        if "${" in text:
            return expressions.substitute(text, lambda source: self.evaluate(task, source))
        return self.evaluate(task, text)

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise ScriptError("service calls run through handlers, not the script engine",
                          element_id=_element_id(task))


def _script_error(error: SandboxError, task: Any) -> ScriptError:
    reason = error.reason
    if error.line:
        reason = f"{reason} (line {error.line})" if "line" not in reason else reason
    script_error = ScriptError(reason, element_id=_element_id(task), kind=error.kind)
    script_error.task_id = str(task.id) if getattr(task, "id", None) else None  # type: ignore[attr-defined]
    return script_error
