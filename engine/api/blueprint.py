"""The API's Blueprint: flask-smorest's, plus a multipart location for uploads with fields.

flask-smorest documents only the first body argument of an operation, so files and form
fields sent together in one multipart/form-data body need one schema over both.
"""

from __future__ import annotations

from typing import Any

import flask
import flask_smorest
import marshmallow as ma
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

MULTIPART = "multipart"
# Largest id of a case or an incident: their id columns are 32-bit integers, and PostgreSQL
# rejects a larger number in a query with an error instead of finding nothing.
MAX_ID = 2**31 - 1


class ApiParser(FlaskParser):
    __location_map__ = {**FlaskParser.__location_map__, MULTIPART: "load_multipart"}

    def load_multipart(self, req: flask.Request, schema: ma.Schema) -> Any:
        """Return the files and the form fields of a multipart/form-data body together."""
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ApiParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        MULTIPART: "multipart/form-data",
    }
