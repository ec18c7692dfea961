"""The OpenAPI document at /api/v1/openapi.json and a readable page of it at /api/v1/docs.

The page is rendered on the server from the same document, with no script, so it works
under the app's Content-Security-Policy and without anything fetched from other sites.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template

from engine import i18n
from engine.access import PUBLIC, access

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1", template_folder="templates")

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def openapi_document() -> dict[str, Any]:
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    document: dict[str, Any] = api.spec.to_dict()
    return document


@bp.route("/openapi.json", methods=["GET"], endpoint="openapi")
@access(PUBLIC)
def openapi_json() -> Response:
    return jsonify(openapi_document())


@bp.route("/docs", methods=["GET"], endpoint="docs")
@access(PUBLIC)
def docs_page() -> str:
    document = openapi_document()
    return render_template("api/docs.html", locale=i18n.current_locale(), info=document["info"],
                           operations=operations(document),
                           schemas=schemas(document), security=document["components"].get(
                               "securitySchemes", {}))


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten the paths into one entry per operation, in path order."""
    entries = []
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = (operation.get("requestBody") or {}).get("content", {})
            entries.append({
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                "method": method.upper(), "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "tags": operation.get("tags", []),
                "parameters": [*shared, *operation.get("parameters", [])],
                "body": [(content_type, schema_name(content.get("schema", {})))
                         for content_type, content in body.items()],
                "responses": [(status, response.get("description", ""),
                               response_schema(document, response))
                              for status, response in operation.get("responses", {}).items()],
            })
    return entries


def schemas(document: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each component schema with its properties: name, type, required, description."""
    result = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        properties = [{"name": prop_name, "type": type_text(prop),
                       "required": prop_name in required,
                       "description": prop.get("description", "")}
                      for prop_name, prop in schema.get("properties", {}).items()]
        result.append((name, properties))
    return result


def schema_name(schema: dict[str, Any]) -> str:
    reference = schema.get("$ref")
    if reference:
        return str(reference).rsplit("/", 1)[-1]
    return type_text(schema)


def response_schema(document: dict[str, Any], response: dict[str, Any]) -> str:
    reference = response.get("$ref")
    if reference:
        name = str(reference).rsplit("/", 1)[-1]
        response = document.get("components", {}).get("responses", {}).get(name, {})
    for content_type, content in response.get("content", {}).items():
        return f"{content_type}: {schema_name(content.get('schema', {}))}"
    return ""


def type_text(schema: dict[str, Any]) -> str:
    """A short type description such as 'array of Task' or 'string (date-time), nullable'."""
    if "$ref" in schema:
        return schema_name(schema)
    if "allOf" in schema:
        return " & ".join(schema_name(part) for part in schema["allOf"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if kind == "array":
        kind = f"array of {type_text(schema.get('items', {}))}"
    if schema.get("format"):
        kind += f" ({schema['format']})"
    if schema.get("enum"):
        kind += ": " + ", ".join(str(value) for value in schema["enum"] if value is not None)
    if schema.get("nullable"):
        kind += ", nullable"
    return str(kind)
