"""The WSGI entry point for production servers: `gunicorn engine.wsgi:application`.

Configuration comes from the environment (SLOYFE_DATABASE_URL and the other SLOYFE_
variables) and instance/sloyfe.json. Timers need a `sloyfe worker` process beside it.
"""

import logging

from engine.app import create_app
from engine.config import load_config
from engine.i18n import gettext as _
from engine.logs import LOG_FORMATS, configure_logging

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

_config = load_config()
_level = str(_config["LOG_LEVEL"]).upper()
_format = str(_config["LOG_FORMAT"])
if _level not in LOG_LEVELS:
    raise SystemExit(_("The setting LOG_LEVEL is %(value)s. Set it to DEBUG, INFO, WARNING or "
                       "ERROR.", value=_config["LOG_LEVEL"]))
if _format not in LOG_FORMATS:
    raise SystemExit(_("The setting LOG_FORMAT is %(value)s. Set it to text or json.",
                       value=_format))
configure_logging(getattr(logging, _level), _format)
application = create_app()
