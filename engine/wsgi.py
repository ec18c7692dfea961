"""The WSGI entry point for production servers: `gunicorn engine.wsgi:application`.

Configuration comes from the environment (SLOYFE_DATABASE_URL and the other SLOYFE_
variables) and instance/sloyfe.json. Timers need a `sloyfe worker` process beside it.
"""

import logging

from engine.app import create_app
from engine.config import load_config
from engine.logs import configure_logging

configure_logging(logging.INFO, str(load_config()["LOG_FORMAT"]))
application = create_app()
