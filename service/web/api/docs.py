"""The OpenAPI document and a plain HTML rendering of it (no CDN: the page must work offline).

The page says nothing the document does not: each operation's authentication line is generated from its
``security`` requirements and the document's security schemes (tests/service/test_openapi.py compares them
for every operation)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, render_template_string

from service.web.context import services
from service.web.openapi import openapi_document

blueprint = Blueprint("docs", __name__, url_prefix="/api")

METHODS = ("get", "post", "put", "patch", "delete")

# Server-rendered and autoescaped (render_template_string escapes by default).
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ doc.info.title }}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h2 { border-bottom: 1px solid #ccc; } .op { margin: 1.5rem 0; padding: .5rem 1rem; border-left: 4px solid #888; }
.method { font-weight: bold; text-transform: uppercase; } code, pre { background: #f4f4f4; }
pre { padding: .75rem; overflow-x: auto; font-size: 13px; } table { border-collapse: collapse; }
td, th { text-align: left; padding: .15rem .75rem .15rem 0; vertical-align: top; }
</style></head><body>
<h1>{{ doc.info.title }} <small>v{{ doc.info.version }}</small></h1>
<p>{{ doc.info.description }}</p>
<p>Machine-readable: <a href="{{ url_for('docs.openapi') }}">openapi.json</a> (OpenAPI {{ doc.openapi }}).</p>
<h2>Operations</h2>
{% for op in operations %}
<div class="op" id="{{ op.operationId }}">
<h3><span class="method">{{ op.method }}</span> <code>{{ op.path }}</code>{% if op.auth.required %} 🔒{% endif %}</h3>
<p>{{ op.summary }}</p>
<p class="auth">Authentication: {% for way in op.auth.ways %}{% if not loop.first %} <em>or</em> {% endif %}
{%- for part in way %}{% if not loop.first %} and {% endif %}{% if part.credential %}<code>{{ part.credential }}</code>
{%- if part.description %} ({{ part.description }}){% endif %}{% else %}{{ part.description }}{% endif %}{% endfor %}
{%- endfor %}</p>
{% if op.parameters %}<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>
{% for p in op.parameters %}<tr><td><code>{{ p.name }}</code></td><td>{{ p.in }}</td>
<td><code>{{ p.schema | tojson }}</code></td><td>{{ p.description or "" }}</td></tr>{% endfor %}</table>{% endif %}
{% if op.body %}<p>Request body: <a href="#schema-{{ op.body }}">{{ op.body }}</a> (JSON)</p>{% endif %}
<table><tr><th>status</th><th>meaning</th><th>body</th></tr>
{% for r in op.responses %}<tr><td>{{ r.status }}</td><td>{{ r.description }}</td>
<td>{% if r.schema %}<a href="#schema-{{ r.schema }}">{{ r.schema }}</a>{% endif %}</td></tr>{% endfor %}</table>
</div>
{% endfor %}
<h2>Schemas</h2>
{% for name, schema in schemas %}<h3 id="schema-{{ name }}">{{ name }}</h3><pre>{{ schema }}</pre>{% endfor %}
</body></html>
"""


def _ref_name(content: dict | None) -> str | None:
    schema = ((content or {}).get("application/json") or {}).get("schema") or {}
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


NO_AUTHENTICATION = {"credential": None, "description": "none"}


def _credential(scheme: dict) -> str:
    """How a client sends a security scheme's credential, in the words of the OpenAPI document."""
    if scheme.get("type") == "http":
        name = str(scheme.get("scheme", "")).lower()
        return "Authorization: Bearer <token>" if name == "bearer" else f"Authorization: {name.capitalize()} …"
    if scheme.get("type") == "apiKey":
        where = {"query": "?{}=…", "header": "{}: …", "cookie": "cookie {}"}.get(scheme.get("in", ""), "{}")
        return where.format(scheme.get("name", ""))
    return str(scheme.get("type", "?"))


def authentication(operation: dict, document: dict) -> dict:
    """What an operation's ``security`` (or the document's) asks for: ``{"required", "ways"}``.

    ``ways`` are the alternatives (OpenAPI's list is "any one of these"), each a list of the schemes it
    combines (``{"credential", "description"}``); an empty requirement ``{}`` is "none", which makes
    authentication optional. No security at all is one way: none.
    """
    schemes = document.get("components", {}).get("securitySchemes", {})
    requirements = operation.get("security", document.get("security", [{}]))
    ways = []
    for requirement in requirements or [{}]:
        if not requirement:
            ways.append([NO_AUTHENTICATION])
            continue
        ways.append([{"credential": _credential(schemes.get(name, {})),
                      "description": schemes.get(name, {}).get("description", "")} for name in requirement])
    return {"required": all(way != [NO_AUTHENTICATION] for way in ways), "ways": ways}


def _operations(document: dict) -> list[dict]:
    rows = []
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            rows.append({
                **operation, "method": method, "path": path, "auth": authentication(operation, document),
                "body": _ref_name(operation.get("requestBody", {}).get("content")),
                "responses": [{"status": status, "description": response["description"],
                               "schema": _ref_name(response.get("content"))}
                              for status, response in operation["responses"].items()],
            })
    return rows


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document."""
    return jsonify(openapi_document(services().settings))


@blueprint.get("/docs")
def docs() -> str:
    """The OpenAPI document as one HTML page: operations, then schemas."""
    document = openapi_document(services().settings)
    schemas = [(name, json.dumps(schema, indent=2, ensure_ascii=False))
               for name, schema in document["components"]["schemas"].items()]
    return render_template_string(PAGE, doc=document, operations=_operations(document), schemas=schemas)
