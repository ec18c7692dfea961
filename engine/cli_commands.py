"""The sloyfe sub-commands."""

from __future__ import annotations

import logging
from typing import Any

import click

from engine.cli import emit, handle_errors, main, parse_data, pass_state
from engine.cli_format import audit_action, instance_status, local_time, table
from engine.i18n import gettext as _

# --- set-up ----------------------------------------------------------------------------------

@main.command("init-db", help=_("Create or upgrade the database schema."))
@pass_state
@handle_errors
def init_db(state: Any) -> None:
    from engine.config import load_config
    from engine.schema import upgrade

    url = load_config()["DATABASE_URL"]
    upgrade(url)
    click.echo(_("The database is up to date."))


@main.command("load-demo", help=_("Load the demo municipality and deploy bpmn/ and forms/."))
@click.option("--history-months", default=12, show_default=True, type=click.IntRange(0, 36),
              help=_("Months of case history to create before now on an empty database; 0 "
                     "creates none."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def load_demo(state: Any, history_months: int, as_json: bool) -> None:
    from engine.demo_history import load_demo as load

    emit(load(state.engine, months=history_months), as_json, _load_demo_text)


def _load_demo_text(result: dict[str, Any]) -> str:
    lines = [_("Demo data loaded: %(users)s users created, %(count)s new or changed definitions "
               "deployed.", users=result["users_created"],
               count=sum(1 for item in result["deployed"] if item["changed"]))]
    history = result["history"]
    if history:
        lines.append(_("History created: %(cases)s cases and %(tasks)s completed tasks from "
                       "%(start)s, in %(seconds)s s.", cases=sum(history["started"].values()),
                       tasks=history["completed_tasks"], start=local_time(history["start"]),
                       seconds=history["seconds"]))
    return "\n".join(lines)


@main.command(help=_("Deploy .bpmn and .form files (or folders of them) as new versions."))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--as", "actor", default=None, help=_("User name recorded as deployer."))
@click.option("--note", default=None, help=_("Change note stored with the new versions."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def deploy(state: Any, paths: tuple[str, ...], actor: str | None, note: str | None,
           as_json: bool) -> None:
    results = [r.to_dict() for r in state.engine.repository.deploy_paths(
        paths, actor=actor, change_note=note)]
    emit(results, as_json, lambda rows: "\n".join(
        f"{r['kind']:8} {r['key']:30} v{r['version']}"
        + ("" if r["changed"] else "  " + _("(unchanged)")) for r in rows))


@main.command(help=_("List the deployed processes, newest version of each."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def definitions(state: Any, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [{"key": d.key, "version": d.version, "name": d.name,
                 "start_form": d.start_form_ref, "deployed_at": d.deployed_at.isoformat()}
                for d in engine.repository.definitions()]
    emit(rows, as_json, lambda rs: table([_("Key"), _("Version"), _("Name"), _("Deployed")], [
        (r["key"], r["version"], r["name"], local_time(r["deployed_at"])) for r in rs]))


# --- running processes -----------------------------------------------------------------------

@main.command(help=_("Start process KEY as a user, with start-form data as JSON."))
@click.argument("key")
@click.option("--as", "actor", required=True, help=_("User name of the person starting it."))
@click.option("--data", default=None, help=_("Start-form values as JSON, or @file.json."))
@click.option("--business-key", default=None, help=_("Case number to use instead of a new one."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def start(state: Any, key: str, actor: str, data: str | None, business_key: str | None,
          as_json: bool) -> None:
    values = parse_data(data)
    engine = state.engine
    with engine.transaction(read_only=True):
        _warn_unknown_fields(engine.forms.start_form(engine.repository.latest(key)), values)
    result = engine.runtime.start(key, actor, values, business_key=business_key)
    emit(result.to_dict(), as_json, lambda r: _(
        "Started case %(key)s (instance %(id)s), status %(status)s.", key=r["business_key"],
        id=r["instance_id"], status=r["case_status"] or r["status"]) + "".join(
        f"\n  {t['id']}  {t['name']}" for t in r["open_tasks"]))


def _warn_unknown_fields(form: Any, values: dict[str, Any]) -> None:
    """Warn on stderr about keys the form does not have; the engine drops them."""
    if form is None:
        return
    known = {field.data_path.split(".")[0].split("[")[0] for field in form.fields()}
    unknown = sorted(key for key in values if key not in known)
    if unknown:
        click.echo(_("Warning: the form has no field %(fields)s, so it was ignored. Fields of "
                     "the form: %(known)s.", fields=", ".join(unknown),
                     known=", ".join(sorted(known))), err=True)


def _task_lines(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return _("No tasks.")
    return table([_("Task id"), _("Task"), _("Case number"), _("Assigned to"), _("Deadline")],
                 [(t["id"], t["name"], t["business_key"], t["assignee"],
                   local_time(t["due_at"])) for t in rows])


@main.command(help=_("List open tasks: mine, my groups' (group), my unit's (unit) or all."))
@click.option("--as", "actor", required=True, help=_("User name whose list to show."))
@click.option("--view", type=click.Choice(["mine", "group", "unit", "all"]), default=None,
              help=_("Which list; without it, mine and group together."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def tasks(state: Any, actor: str, view: str | None, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        engine.organisation.user(actor)
        views = [view] if view else ["mine", "group"]
        rows = [engine.tasks.summary(t) for v in views for t in engine.tasks.list(actor, v)]
    emit(rows, as_json, _task_lines)


@main.command(help=_("Assign a task to yourself (Tildel meg)."))
@click.argument("task_id")
@click.option("--as", "actor", required=True, help=_("User name taking the task."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def claim(state: Any, task_id: str, actor: str, as_json: bool) -> None:
    engine = state.engine
    task = engine.tasks.claim(task_id, actor)
    with engine.transaction(read_only=True):
        summary = engine.tasks.summary(engine.tasks.get(task.id))
    emit(summary, as_json, lambda t: _("%(task)s is assigned to %(user)s.", task=t["name"],
                                       user=t["assignee"]))


@main.command(help=_("Put a task back to its groups (Legg tilbake)."))
@click.argument("task_id")
@click.option("--as", "actor", required=True, help=_("User name giving the task back."))
@pass_state
@handle_errors
def unclaim(state: Any, task_id: str, actor: str) -> None:
    state.engine.tasks.unclaim(task_id, actor)
    click.echo(_("The task is back with its groups."))


@main.command(help=_("Complete a task with form values as JSON."))
@click.argument("task_id")
@click.option("--as", "actor", required=True, help=_("User name completing the task."))
@click.option("--data", default=None, help=_("Form values as JSON, or @file.json."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def complete(state: Any, task_id: str, actor: str, data: str | None, as_json: bool) -> None:
    values = parse_data(data)
    engine = state.engine
    with engine.transaction(read_only=True):
        _warn_unknown_fields(engine.tasks.form(engine.tasks.get(task_id)), values)
    result = engine.tasks.complete(task_id, actor, values)
    emit(result, as_json, lambda r: _("The task is completed. Case status: %(status)s.",
                                      status=r["case_status"] or r["status"]) + "".join(
        f"\n  {t['id']}  {t['name']}" for t in r["open_tasks"]))


@main.command(help=_("List process instances."))
@click.option("--status", default=None, help=_("running, completed, terminated or suspended."))
@click.option("--process", "key", default=None, help=_("Only instances of this process key."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def instances(state: Any, status: str | None, key: str | None, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [engine.runtime.summary(i) for i in engine.runtime.instances(status=status,
                                                                             key=key)]
    emit(rows, as_json, lambda rs: table(
        [_("Id"), _("Case number"), _("State"), _("Status"), _("Started"), _("Title")],
        [(r["id"], r["business_key"], instance_status(r["status"]), r["case_status"],
          local_time(r["started_at"]), r["title"]) for r in rs]) if rs else _("No cases."))


@main.command(help=_("Show one instance: status, open tasks, timers, incidents, audit trail."))
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def instance(state: Any, instance_id: int, as_json: bool) -> None:
    details = state.engine.runtime.details(instance_id)

    def text(d: dict[str, Any]) -> str:
        lines = [f"{d['business_key']}  {d['title']}",
                 f"{_('State')}: {instance_status(d['status'])}, "
                 f"{_('Status')}: {d['case_status'] or '-'}", ""]
        if d["open_tasks"]:
            lines += [_("Open tasks:"), table(
                [_("Task id"), _("Task"), _("Assigned to"), _("Deadline")],
                [(t["id"], t["name"], t["assignee"], local_time(t["due_at"]))
                 for t in d["open_tasks"]]), ""]
        if d["timers"]:
            lines += [_("Timers:"), table([_("Element"), _("Due")], [
                (t["element_id"], local_time(t["due_at"])) for t in d["timers"]]), ""]
        if d["incidents"]:
            lines += [_("Incidents:")] + [f"  {i['id']}: {i['message']}"
                                         for i in d["incidents"]] + [""]
        lines += [_("History:"), table([_("Time"), _("By"), _("Event"), _("Details")], [
            (local_time(e["at"]), e["actor"], audit_action(e["action"]),
             e["details"].get("status") or e["element_id"] or "") for e in d["audit"]])]
        return "\n".join(lines)

    emit(details, as_json, text)


@main.command(help=_("Deliver a message to the case that waits for it, or start a process "
                    "with it."))
@click.argument("name")
@click.option("--as", "actor", required=True, help=_("User name recorded as sender."))
@click.option("--business-key", default=None,
              help=_("Case number of the case the message is for."))
@click.option("--data", default=None, help=_("Message variables as JSON, or @file.json."))
@click.option("--all", "to_all", is_flag=True,
              help=_("Deliver to every waiting case, not only to one."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def message(state: Any, name: str, actor: str, business_key: str | None, data: str | None,
            to_all: bool, as_json: bool) -> None:
    result = state.engine.runtime.correlate_message(name, actor, parse_data(data),
                                                    business_key=business_key, all=to_all)
    emit(result, as_json, lambda r: _(
        "Delivered to cases %(delivered)s; started cases %(started)s.",
        delivered=", ".join(map(str, r["delivered_to"])) or "-",
        started=", ".join(map(str, r["started"])) or "-"))


@main.group(help=_("Timers: list them, or fire what is due now."))
def timers() -> None:
    pass


@timers.command("run-due", help=_("Fire every timer and run every job due at the current time."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def timers_run_due(state: Any, as_json: bool) -> None:
    report = state.engine.management.run_due().to_dict()
    emit(report, as_json, lambda r: _(
        "%(timers)s timers fired, %(done)s jobs done, %(failed)s jobs failed.",
        timers=r["timers_fired"], done=r["jobs_done"], failed=r["jobs_failed"]))


@timers.command("list", help=_("List waiting timers."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def timers_list(state: Any, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [{"id": t.id, "instance_id": t.instance_id, "element_id": t.element_id,
                 "due_at": t.due_at.isoformat()} for t in engine.management.timers()]
    emit(rows, as_json, lambda rs: table([_("Case id"), _("Element"), _("Due")], [
        (r["instance_id"] or _("(starts new case)"), r["element_id"], local_time(r["due_at"]))
        for r in rs]) if rs else _("No timers."))


@main.group(help=_("Incidents: failures that stopped a process instance."))
def incidents() -> None:
    pass


@incidents.command("list", help=_("List open incidents."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def incidents_list(state: Any, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [{"id": i.id, "instance_id": i.instance_id, "element_id": i.element_id,
                 "kind": i.kind, "message": i.message, "created_at": i.created_at.isoformat()}
                for i in engine.management.incidents()]
    emit(rows, as_json, lambda rs: table(
        [_("Id"), _("Case id"), _("Element"), _("Created"), _("Message")],
        [(r["id"], r["instance_id"], r["element_id"], local_time(r["created_at"]), r["message"])
         for r in rs]) if rs else _("No open incidents."))


@incidents.command("retry", help=_("Try the failed step of an incident again."))
@click.argument("incident_id", type=int)
@click.option("--as", "actor", required=True, help=_("User name of the administrator."))
@pass_state
@handle_errors
def incidents_retry(state: Any, incident_id: int, actor: str) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        if not engine.organisation.has_role(actor, "administrator"):
            from engine.errors import AdministratorsOnly

            raise AdministratorsOnly()
    engine.management.retry_incident(incident_id, actor)
    click.echo(_("The step was tried again."))


# --- servers ---------------------------------------------------------------------------------

@main.command(help=_("Run a scheduler worker that fires timers and runs jobs until stopped."))
@pass_state
@handle_errors
def worker(state: Any) -> None:
    from engine.cli import configure_logging
    from scheduler.worker import run_worker

    configure_logging(logging.INFO)
    run_worker(state.engine)


@main.command(help=_("Run the web server, with a scheduler in the same process."))
@click.option("--host", default="127.0.0.1", show_default=True, help=_("Address to listen on."))
@click.option("--port", default=5000, show_default=True, type=int, help=_("TCP port."))
@click.option("--no-scheduler", is_flag=True, help=_("Do not fire timers in this process."))
@pass_state
@handle_errors
def serve(state: Any, host: str, port: int, no_scheduler: bool) -> None:
    from engine.app import create_app
    from engine.cli import configure_logging

    configure_logging(logging.INFO)
    # The app logs every request with its request id; werkzeug's own access line would
    # repeat it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
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


# Importing these registers their commands on `main`.
from engine import (  # noqa: E402,F401
    cli_identities,
    cli_organisation,
    cli_retention,
    cli_tokens,
)
