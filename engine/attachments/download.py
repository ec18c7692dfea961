"""The HTTP response that sends a stored attachment, for the web UI and the REST API."""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_file

# An attachment may be HTML or a script in disguise: the browser must not run it, render it
# as a page of this site, or guess another type.
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def attachment_response(path: Path, content_type: str, filename: str) -> Response:
    """Send a stored file as a download with the type found at upload, which the browser
    must neither guess past nor show as a page of this site."""
    response = send_file(path, mimetype=content_type, as_attachment=True,
                         download_name=filename, conditional=False, etag=False)
    # send_file adds "; charset=utf-8" to every text type, also after a charset of its own.
    response.headers["Content-Type"] = content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response

