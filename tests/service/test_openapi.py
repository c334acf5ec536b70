"""The OpenAPI document: it describes every route the app has, and real responses match its schemas."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.service.conftest import post_comment, score

IMPLICIT = {"HEAD", "OPTIONS"}


def _document(client: FlaskClient) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_route_is_documented_and_every_documented_route_exists(app: Flask, client: FlaskClient) -> None:
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    # The moderators' workbench (HTML pages under /moderate) is not part of the JSON API.
    served = {(_openapi_path(rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if not rule.endpoint.startswith("moderate.")
              for method in rule.methods - IMPLICIT}
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert served == documented
    # Outside /api/ only the probes and Perspective's own paths (its clients expect them at the root).
    outside = {"/healthz", "/readyz", "/v1alpha1/comments:analyze", "/v1alpha1/comments:suggestscore",
               "/$discovery/rest"}
    assert all(path.startswith("/api/") for path, _ in served if path not in outside)


def test_every_rate_limited_or_keyed_route_documents_its_refusals(app: Flask, client: FlaskClient) -> None:
    # The declarations at the views (service/web/limits.py, site_keys.py) are what the document must describe.
    paths = _document(client)["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith("moderate."):
            continue
        for method in rule.methods - IMPLICIT:
            responses = paths[_openapi_path(rule.rule)][method.lower()]["responses"]
            wanted = ({"429"} if getattr(view, "rate_limits", ()) and method == "POST" else set()) | (
                {"401", "403"} if getattr(view, "site_key_required", False) else set())
            missing += [f"{method} {rule.rule}: {status}" for status in sorted(wanted - set(responses))]
            if "429" in wanted and "429" in responses:
                assert "Retry-After" in responses["429"].get("headers", {}), rule.rule
    assert missing == []


def test_every_operation_has_an_id_responses_and_the_error_shape(client: FlaskClient) -> None:
    document = _document(client)
    ids = []
    for item in document["paths"].values():
        for operation in item.values():
            ids.append(operation["operationId"])
            assert operation["responses"]["default"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}
            if "security" in operation:
                assert "401" in operation["responses"]
    assert len(ids) == len(set(ids))
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["properties"]) == {"code", "message", "field"} and error["required"] == ["code", "message"]


def test_every_reference_resolves(client: FlaskClient) -> None:
    document = _document(client)
    schemas = document["components"]["schemas"]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None:
                assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


def _properties(schema: dict, schemas: dict) -> set[str]:
    """Top-level property names of a schema, following $ref and allOf."""
    if "$ref" in schema:
        return _properties(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas)
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= _properties(part, schemas)
    return names


def test_real_responses_carry_the_documented_fields(app: Flask, client: FlaskClient, with_model: str,
                                                    auth: dict) -> None:
    schemas = _document(client)["components"]["schemas"]
    created = post_comment(client)
    score(app, created["id"], 0.9)
    assert set(created) == _properties({"$ref": "#/components/schemas/Comment"}, schemas)
    detail = client.get(f"/api/v1/comments/{created['id']}", headers=auth).get_json()
    assert set(detail) == _properties({"$ref": "#/components/schemas/CommentDetail"}, schemas)
    restricted = client.get(f"/api/v1/comments/{created['id']}").get_json()  # held: the public sees its status
    assert set(restricted) == _properties({"$ref": "#/components/schemas/CommentStatus"}, schemas)
    analyzed = client.post("/api/v1/analyze", json={"text": "hello"}).get_json()
    assert set(analyzed) == _properties(schemas["AnalyzeResult"], schemas)
    decision = client.post(f"/api/v1/moderation/comments/{created['id']}/decision", headers=auth,
                           json={"action": "approve"}).get_json()
    assert set(decision) == _properties(schemas["DecisionResult"], schemas)
    page = client.get("/api/v1/moderation/actions", headers=auth).get_json()
    assert set(page) == _properties(schemas["DecisionPage"], schemas)
    report = client.post(f"/api/v1/comments/{created['id']}/reports", json={}).get_json()
    assert set(report) == _properties(schemas["ReportResult"], schemas)
    ready = client.get("/readyz").get_json()
    assert set(ready) == _properties(schemas["Readiness"], schemas)


def test_limits_in_the_document_follow_the_configuration(app_config: dict[str, str]) -> None:
    from service.web.app import create_app

    app = create_app({**app_config, "MODERATION_MAX_TEXT": "500"})
    schemas = app.test_client().get("/api/openapi.json").get_json()["components"]["schemas"]
    assert schemas["CommentCreate"]["properties"]["text"]["maxLength"] == 500
    app.extensions["moderation"].dispose()


def test_docs_page_lists_every_operation_offline(client: FlaskClient) -> None:
    document = _document(client)
    response = client.get("/api/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<script" not in page and "http://" not in page and "https://" not in page  # no CDN
    for path, item in document["paths"].items():
        for operation in item.values():
            assert f'id="{operation["operationId"]}"' in page
        assert f"<code>{path}</code>" in page
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page


def _sent_as(scheme: dict) -> str:
    # What the page must show for a scheme, read from the scheme itself.
    if scheme["type"] == "http":
        return f"Authorization: {scheme['scheme'].capitalize()}"
    return {"query": f"?{scheme['name']}=", "header": f"{scheme['name']}:"}[scheme["in"]]


def test_docs_page_says_what_the_document_says_about_authentication(client: FlaskClient) -> None:
    document = _document(client)
    schemes = document["components"]["securitySchemes"]
    page = client.get("/api/docs").get_data(as_text=True)
    checked = 0
    for item in document["paths"].values():
        for operation in item.values():
            block = re.search(rf'<div class="op" id="{re.escape(operation["operationId"])}">(.*?)</div>', page, re.S)
            assert block, operation["operationId"]
            line = re.search(r'<p class="auth">(.*?)</p>', block.group(1), re.S)
            assert line, f"{operation['operationId']} has no authentication line"
            text = html.unescape(re.sub(r"<[^>]+>", "", line.group(1)))
            requirements = operation.get("security", document.get("security")) or [{}]
            optional = {} in requirements
            used = {name for requirement in requirements for name in requirement}
            assert ("none" in text) == optional, (operation["operationId"], text)
            assert ("🔒" in block.group(1)) == (not optional), operation["operationId"]
            for name, scheme in schemes.items():
                assert (_sent_as(scheme) in text) == (name in used), (operation["operationId"], name, text)
            checked += 1
    assert checked == sum(len(item) for item in document["paths"].values())
    # What the issue saw: the public endpoints take a site key or nothing, never a moderator's bearer token.
    submit = re.search(r'<div class="op" id="submitComment">.*?<p class="auth">(.*?)</p>', page, re.S).group(1)
    assert "Bearer" not in submit and "none" in submit and "?key=" in submit
