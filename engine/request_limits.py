"""Request size limits per route: uploads may be larger than any other post.

MAX_CONTENT_LENGTH limits every request body. A view marked with `upload_limit` accepts the
number of bytes its setting gives instead, plus room for the other fields of a multipart
form. The limit must be known before anything reads the body, and the CSRF check reads it in
a before_request hook, so the request object works it out from the matched route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Request, current_app

from engine.attachments import format_size
from engine.errors import EngineError

View = TypeVar("View", bound=Callable[..., Any])
LIMIT_ATTRIBUTE = "sloyfe_upload_limit"
# Room for the CSRF token, the multipart boundaries and the part headers of an upload.
FORM_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class UploadLimit:
    """The engine setting that gives a route's limit in bytes, and the error that explains
    it, built from the limit written for people ("10 MB")."""

    config_key: str
    error: Callable[[str], EngineError]


def upload_limit(config_key: str,
                 error: Callable[[str], EngineError]) -> Callable[[View], View]:
    """Let the decorated view receive up to `config_key` bytes, a setting of the engine's
    configuration; a larger body gets 413 with `error`."""
    def declare(view: View) -> View:
        setattr(view, LIMIT_ATTRIBUTE, UploadLimit(config_key, error))
        return view
    return declare


def route_upload_limit(endpoint: str | None) -> UploadLimit | None:
    """Return the upload limit of the view at `endpoint`, if it has one."""
    if endpoint is None or not current_app:
        return None
    view = current_app.view_functions.get(endpoint)
    return getattr(view, LIMIT_ATTRIBUTE, None) if view is not None else None


def too_large_error(endpoint: str | None) -> EngineError | None:
    """Return the error that explains a 413 at an upload route, or None at other routes."""
    limit = route_upload_limit(endpoint)
    if limit is None:
        return None
    return limit.error(format_size(_limit_bytes(limit)))


def _limit_bytes(limit: UploadLimit) -> int:
    return int(current_app.extensions["sloyfe"].config[limit.config_key])


class LimitedRequest(Request):
    """Flask's request, with the body limit of an upload route where one is declared."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        limit = route_upload_limit(self.endpoint)
        if limit is not None:
            return _limit_bytes(limit) + FORM_OVERHEAD_BYTES
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
