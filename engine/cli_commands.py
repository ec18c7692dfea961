"""The sloyfe sub-commands."""

from __future__ import annotations

from typing import Any

import click

from engine.cli import emit, handle_errors, main, parse_data, pass_state
from engine.i18n import gettext as _
from engine.runtime.timeexpr import OSLO


def _when(value: Any) -> str:
    if not value:
        return "-"
    return value.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")


# --- set-up ----------------------------------------------------------------------------------

@main.command("init-db", help="Create or upgrade the database schema.")
@pass_state
@handle_errors
def init_db(state: Any) -> None:
    from engine.config import load_config
    from engine.schema import upgrade

    url = load_config()["DATABASE_URL"]
    upgrade(url)
    click.echo(_("The database is up to date."))


@main.command("load-demo", help="Load the demo municipality and deploy bpmn/ and forms/.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def load_demo(state: Any, as_json: bool) -> None:
    from engine.demo import load_organisation, load_processes

    users = load_organisation(state.engine)
    deployed = load_processes(state.engine)
    emit({"users_created": users, "deployed": deployed}, as_json, lambda d: _(
        "Demo data loaded: %(users)s users created, %(count)s definitions deployed.",
        users=d["users_created"], count=len(d["deployed"])))


@main.command(help="Deploy .bpmn and .form files (or folders of them) as new versions.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--as", "actor", default=None, help="User name recorded as deployer.")
@click.option("--note", default=None, help="Change note stored with the new versions.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def deploy(state: Any, paths: tuple[str, ...], actor: str | None, note: str | None,
           as_json: bool) -> None:
    results = [r.to_dict() for r in state.engine.repository.deploy_paths(
        paths, actor=actor, change_note=note)]
    emit(results, as_json, lambda rows: "\n".join(
        f"{r['kind']:8} {r['key']:30} v{r['version']}"
        + ("" if r["changed"] else "  " + _("(unchanged)")) for r in rows))


@main.command(help="List the deployed processes, newest version of each.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def definitions(state: Any, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [{"key": d.key, "version": d.version, "name": d.name,
                 "start_form": d.start_form_ref, "deployed_at": d.deployed_at.isoformat()}
                for d in engine.repository.definitions()]
    emit(rows, as_json, lambda rs: "\n".join(f"{r['key']:24} v{r['version']:<4} {r['name']}"
                                             for r in rs))


# --- running processes -----------------------------------------------------------------------

@main.command(help="Start process KEY as a user, with start-form data as JSON.")
@click.argument("key")
@click.option("--as", "actor", required=True, help="User name of the person starting it.")
@click.option("--data", default=None, help="Start-form values as JSON, or @file.json.")
@click.option("--business-key", default=None, help="Case number to use instead of a new one.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def start(state: Any, key: str, actor: str, data: str | None, business_key: str | None,
          as_json: bool) -> None:
    result = state.engine.runtime.start(key, actor, parse_data(data), business_key=business_key)
    emit(result.to_dict(), as_json, lambda r: _(
        "Started case %(key)s (instance %(id)s), status %(status)s.", key=r["business_key"],
        id=r["instance_id"], status=r["case_status"] or r["status"]) + "".join(
        f"\n  {t['id']}  {t['name']}" for t in r["open_tasks"]))


def _task_lines(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return _("No tasks.")
    return "\n".join(f"{t['id']}  {t['name'][:34]:34} {t['business_key'] or '':18} "
                     f"{t['assignee'] or '-':18} {t['due_at'] or '-'}" for t in rows)


@main.command(help="List open tasks: mine, my groups' (group), my unit's (unit) or all.")
@click.option("--as", "actor", required=True, help="User name whose list to show.")
@click.option("--view", type=click.Choice(["mine", "group", "unit", "all"]), default=None,
              help="Which list; without it, mine and group together.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def tasks(state: Any, actor: str, view: str | None, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        engine.organisation.user(actor)
        views = [view] if view else ["mine", "group"]
        rows = [engine.tasks.summary(t) for v in views for t in engine.tasks.list(actor, v)]
    emit(rows, as_json, _task_lines)


@main.command(help="Assign a task to yourself (Tildel meg).")
@click.argument("task_id")
@click.option("--as", "actor", required=True, help="User name taking the task.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def claim(state: Any, task_id: str, actor: str, as_json: bool) -> None:
    engine = state.engine
    task = engine.tasks.claim(task_id, actor)
    with engine.transaction(read_only=True):
        summary = engine.tasks.summary(engine.tasks.get(task.id))
    emit(summary, as_json, lambda t: _("%(task)s is assigned to %(user)s.", task=t["name"],
                                       user=t["assignee"]))


@main.command(help="Put a task back to its groups (Legg tilbake).")
@click.argument("task_id")
@click.option("--as", "actor", required=True, help="User name giving the task back.")
@pass_state
@handle_errors
def unclaim(state: Any, task_id: str, actor: str) -> None:
    state.engine.tasks.unclaim(task_id, actor)
    click.echo(_("The task is back with its groups."))


@main.command(help="Complete a task with form values as JSON.")
@click.argument("task_id")
@click.option("--as", "actor", required=True, help="User name completing the task.")
@click.option("--data", default=None, help="Form values as JSON, or @file.json.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def complete(state: Any, task_id: str, actor: str, data: str | None, as_json: bool) -> None:
    result = state.engine.tasks.complete(task_id, actor, parse_data(data))
    emit(result, as_json, lambda r: _("The task is completed. Case status: %(status)s.",
                                      status=r["case_status"] or r["status"]) + "".join(
        f"\n  {t['id']}  {t['name']}" for t in r["open_tasks"]))


@main.command(help="List process instances.")
@click.option("--status", default=None, help="running, completed, terminated or suspended.")
@click.option("--process", "key", default=None, help="Only instances of this process key.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def instances(state: Any, status: str | None, key: str | None, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [engine.runtime.summary(i) for i in engine.runtime.instances(status=status,
                                                                             key=key)]
    emit(rows, as_json, lambda rs: "\n".join(
        f"{r['id']:>6}  {r['business_key'] or '':18} {r['status']:10} "
        f"{r['case_status'] or '-':16} {r['title'] or ''}" for r in rs) or _("No cases."))


@main.command(help="Show one instance: status, open tasks, timers, incidents, audit trail.")
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def instance(state: Any, instance_id: int, as_json: bool) -> None:
    details = state.engine.runtime.details(instance_id)

    def text(d: dict[str, Any]) -> str:
        lines = [f"{d['business_key']}  {d['title']}",
                 f"{_('Status')}: {d['status']} / {d['case_status'] or '-'}"]
        lines += [f"  {_('Task')}: {t['id']}  {t['name']}  {t['assignee'] or '-'}"
                  for t in d["open_tasks"]]
        lines += [f"  {_('Timer')}: {t['element_id']}  {t['due_at']}" for t in d["timers"]]
        lines += [f"  {_('Incident')} {i['id']}: {i['message']}" for i in d["incidents"]]
        lines += [f"  {e['at']}  {e['actor'] or '-':16} {e['action']}  {e['element_id'] or ''}"
                  for e in d["audit"]]
        return "\n".join(lines)

    emit(details, as_json, text)


@main.group(help="Timers: list them, or fire what is due now.")
def timers() -> None:
    pass


@timers.command("run-due", help="Fire every timer and run every job due at the current time.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def timers_run_due(state: Any, as_json: bool) -> None:
    report = state.engine.management.run_due().to_dict()
    emit(report, as_json, lambda r: _(
        "%(timers)s timers fired, %(done)s jobs done, %(failed)s jobs failed.",
        timers=r["timers_fired"], done=r["jobs_done"], failed=r["jobs_failed"]))


@timers.command("list", help="List waiting timers.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def timers_list(state: Any, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [{"id": t.id, "instance_id": t.instance_id, "element_id": t.element_id,
                 "due_at": t.due_at.isoformat()} for t in engine.management.timers()]
    emit(rows, as_json, lambda rs: "\n".join(
        f"{r['instance_id']:>6}  {r['element_id']:30} {r['due_at']}" for r in rs)
        or _("No timers."))


@main.group(help="Incidents: failures that stopped a process instance.")
def incidents() -> None:
    pass


@incidents.command("list", help="List open incidents.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
@handle_errors
def incidents_list(state: Any, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [{"id": i.id, "instance_id": i.instance_id, "element_id": i.element_id,
                 "kind": i.kind, "message": i.message, "created_at": i.created_at.isoformat()}
                for i in engine.management.incidents()]
    emit(rows, as_json, lambda rs: "\n".join(
        f"{r['id']:>5}  {r['instance_id']:>6}  {r['element_id'] or '-':24} {r['message']}"
        for r in rs) or _("No open incidents."))


@incidents.command("retry", help="Try the failed step of an incident again.")
@click.argument("incident_id", type=int)
@click.option("--as", "actor", required=True, help="User name of the administrator.")
@pass_state
@handle_errors
def incidents_retry(state: Any, incident_id: int, actor: str) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        if not engine.organisation.has_role(actor, "administrator"):
            from engine.errors import PermissionDenied

            raise PermissionDenied()
    engine.management.retry_incident(incident_id, actor)
    click.echo(_("The step was tried again."))


# --- servers ---------------------------------------------------------------------------------

@main.command(help="Run a scheduler worker that fires timers and runs jobs until stopped.")
@pass_state
@handle_errors
def worker(state: Any) -> None:
    from scheduler.worker import run_worker

    run_worker(state.engine)


@main.command(help="Run the web server, with a scheduler in the same process.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="TCP port.")
@click.option("--no-scheduler", is_flag=True, help="Do not fire timers in this process.")
@pass_state
@handle_errors
def serve(state: Any, host: str, port: int, no_scheduler: bool) -> None:
    from engine.app import create_app

    app = create_app(engine=state.engine)
    scheduler = None
    if not no_scheduler and state.engine.config.get("SCHEDULER_IN_PROCESS", True):
        from scheduler.worker import start_background

        scheduler = start_background(state.engine)
    try:
        app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


from engine import cli_organisation  # noqa: E402,F401  (registers the organisation commands)
