"""Request size limits per route: an attachment upload may be larger than any other post.

MAX_CONTENT_LENGTH limits every request body. A view marked with `upload_limit` accepts
its configured number of bytes instead, plus room for the other fields of a multipart
form. The limit must be known before anything reads the body, and the CSRF check reads it
in a before_request hook, so the request object works it out from the matched route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Request, current_app

View = TypeVar("View", bound=Callable[..., Any])
LIMIT_ATTRIBUTE = "sloyfe_upload_limit"
# Room for the CSRF token, the multipart boundaries and the part headers of an upload.
FORM_OVERHEAD_BYTES = 64 * 1024


def upload_limit(config_key: str) -> Callable[[View], View]:
    """Let the decorated view receive a file of up to `config_key` bytes, a setting of the
    engine's configuration."""
    def declare(view: View) -> View:
        setattr(view, LIMIT_ATTRIBUTE, config_key)
        return view
    return declare


def upload_limit_key(endpoint: str | None) -> str | None:
    """Return the config key of the upload limit of the view at `endpoint`, if it has one."""
    if endpoint is None or not current_app:
        return None
    view = current_app.view_functions.get(endpoint)
    return getattr(view, LIMIT_ATTRIBUTE, None) if view is not None else None


class LimitedRequest(Request):
    """Flask's request, with the body limit of an upload route where one is declared."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        key = upload_limit_key(self.endpoint)
        if key is not None:
            engine_config = current_app.extensions["sloyfe"].config
            return int(engine_config[key]) + FORM_OVERHEAD_BYTES
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
