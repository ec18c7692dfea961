"""The WSGI entry point for production servers: `gunicorn engine.wsgi:application`.

Configuration comes from the environment (SLOYFE_DATABASE_URL and the other SLOYFE_
variables) and instance/sloyfe.json. Timers need a `sloyfe worker` process beside it.
"""

from engine.app import create_app

application = create_app()
