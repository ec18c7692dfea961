"""The `sloyfe` command: everything the web UI does, over the same services, for operators.

Errors go to stderr in the user's language (bokmål by default) and exit non-zero:
1 for a refused operation (unknown task, invalid form, no access), 2 for bad command-line
input, 3 for an unexpected failure. SLOYFE_NOW (ISO 8601) fixes the clock of one call.
"""

from __future__ import annotations

import calendar
import functools
import json
import logging
import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from engine import cli_i18n
from engine.errors import EngineError, FormValidationFailed
from engine.i18n import gettext as _

log = logging.getLogger(__name__)

# The date part of an ISO 8601 date or date and time, before its values are checked.
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\d])")


class CliState:
    def __init__(self) -> None:
        self._engine: Any = None

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from engine.engine import ProcessEngine

            self._engine = ProcessEngine()
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()


def fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def parse_date_option(option: str, text: str) -> datetime:
    """Parse the value of a date option: an ISO 8601 date or date and time, Oslo time unless
    it has an offset. For any other value, print how to write it and exit with code 2."""
    from engine.runtime.clock import parse_instant

    try:
        return parse_instant(text)
    except ValueError:
        pass
    written, example = _nonexistent_date(text)
    if written:
        fail(_("The date %(date)s does not exist. Use the format YYYY-MM-DD, for example "
               "%(example)s.", date=written, example=example), code=2)
    fail(_("%(option)s %(value)s is not an ISO 8601 date or date and time. Write for example "
           "2027-12-31 or 2027-12-31T16:00.", option=option, value=text), code=2)
    raise AssertionError("fail() exits")


def _nonexistent_date(text: str) -> tuple[str, str]:
    """Return the date part of `text` and the nearest real date, or two empty texts.

    Only a `text` in ISO 8601 form whose month or day is out of range gives a date part.
    """
    match = _ISO_DATE.match(text.strip())
    if match is None:
        return "", ""
    year, month, day = (int(part) for part in match.groups())
    if year < 1:
        return "", ""
    month_in_range = min(max(month, 1), 12)
    last_day = calendar.monthrange(year, month_in_range)[1]
    if month == month_in_range and 1 <= day <= last_day:
        return "", ""
    nearest = date(year, month_in_range, min(max(day, 1), last_day))
    return match.group(0), nearest.isoformat()


def handle_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn engine errors into a message on stderr and a non-zero exit code."""
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except FormValidationFailed as error:
            lines = [_("The data has errors; nothing was saved. Correct these fields:")]
            lines += [f"  {field or '-'}: {text}" for field, texts in error.errors.items()
                      for text in texts]
            fail("\n".join(lines))
        except EngineError as error:
            fail(str(error))
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.exceptions.Abort):
            raise
        except Exception as error:
            log.exception("command failed")
            fail(_("The command failed unexpectedly: %(error)s", error=
                   f"{type(error).__name__}: {error}"), code=3)
    return wrapper


def parse_data(raw: str | None) -> dict[str, Any]:
    """Read --data as JSON text, or as a file when it starts with @."""
    if not raw:
        return {}
    text = raw
    if raw.startswith("@"):
        try:
            text = Path(raw[1:]).read_text(encoding="utf-8")
        except OSError as error:
            fail(_("Could not read %(file)s: %(reason)s", file=raw[1:], reason=error.strerror),
                 code=2)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        fail(_("--data is not valid JSON: %(reason)s (line %(line)s, column %(column)s). Write "
               "for example '{\"tittel\": \"Fall i trapp\"}'.", reason=error.msg,
               line=error.lineno, column=error.colno), code=2)
    if not isinstance(data, dict):
        fail(_("--data must be a JSON object such as '{\"tittel\": \"Fall i trapp\"}'."), code=2)
    return data


def emit(data: Any, as_json: bool, text: Callable[[Any], str] | None = None) -> None:
    if as_json or text is None:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text(data))


pass_state = click.make_pass_decorator(CliState, ensure=True)


cli_i18n.install()


@click.group(help=_("Sløyfe: BPMN processes for municipal governance."))
@click.option("-v", "--verbose", is_flag=True,
              help=_("Log what the engine does (INFO) to stderr, not only warnings."))
@click.pass_context
def main(context: click.Context, verbose: bool) -> None:
    configure_logging(logging.INFO if verbose else logging.WARNING)
    state = context.ensure_object(CliState)
    context.call_on_close(state.close)


def configure_logging(level: int) -> None:
    """Log to stderr in the LOG_FORMAT setting's format (text or json)."""
    from engine import logs
    from engine.config import load_config

    log_format = str(load_config()["LOG_FORMAT"])
    if log_format not in logs.LOG_FORMATS:
        fail(_("The setting LOG_FORMAT is %(value)s. Set it to text or json.",
               value=log_format), code=2)
    logs.configure_logging(level, log_format)


from engine import cli_commands  # noqa: E402,F401  (registers the commands on `main`)
