"""The public service guide: the page (Chinese first, English on request, no sign-in) and
the same guide as JSON."""
from __future__ import annotations

import sqlalchemy as sa

from conftest import actor
from hall import admin
from hall.models import ServiceItem
from hall.web.api.openapi import document
from hall.web.extensions import db


def test_the_guide_page_is_public_and_in_chinese(client):
    r = client.get("/guide/HQ")
    assert r.status_code == 200 and "public" in r.headers["Cache-Control"]
    html = r.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and 'name="viewport"' in html
    assert "公务员考试录用资格复审" in html and "居民身份证" in html
    assert 'data-service="EXAM"' in html and 'data-time-limit="5"' in html
    assert "5 个工作日" in html or "5 working days" in html
    assert 'data-windows="3,4,21"' in html
    assert "不收费" in html


def test_the_guide_in_english(client):
    html = client.get("/guide/HQ?lang=en").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Civil service recruitment examination" in html
    assert "Resident ID card" in html and "Free of charge" in html
    assert "Window 3" in html


def test_an_unknown_hall_is_a_404_page(client):
    r = client.get("/guide/NOPE")
    assert r.status_code == 404 and "text/html" in r.content_type


def test_inactive_items_are_not_published(app, client):
    with app.app_context():
        admin.edit_service(db.session, "HQ", "EXAM", active=False, actor=actor(app, "admin"))
    assert 'data-service="EXAM"' not in client.get("/guide/HQ").get_data(as_text=True)
    codes = [i["code"] for i in client.get("/api/v1/halls/HQ/guide").get_json()["items"]]
    assert "EXAM" not in codes and "TITLE" in codes


def test_the_guide_as_json(client, app):
    r = client.get("/api/v1/halls/HQ/guide")
    assert r.status_code == 200
    body = r.get_json()
    assert body["hall"] == "HQ" and body["name_en"]
    exam = next(i for i in body["items"] if i["code"] == "EXAM")
    assert exam["time_limit_days"] == 5 and exam["legal_limit_days"] == 20
    assert exam["windows"] == [3, 4, 21]
    assert exam["division"]["code"] == "CIVIL"
    assert exam["documents"][0]["zh"] and exam["documents"][0]["en"]
    assert exam["fees"] == "不收费" and exam["fees_en"] == "Free of charge"
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceItem)
                                  .where(ServiceItem.active.is_(True),
                                         ServiceItem.hall.has(code="HQ")))
    assert len(body["items"]) == count
    assert client.get("/api/v1/halls/NOPE/guide").status_code == 404
    assert client.get("/api/v1/halls/NOPE/guide").content_type == "application/problem+json"


def test_the_guide_matches_its_openapi_schema(client, app):
    import jsonschema

    with app.test_request_context():
        spec = document()
    assert "/api/v1/halls/{hall}/guide" in spec["paths"]
    schema = spec["components"]["schemas"]["Guide"]
    jsonschema.validate(client.get("/api/v1/halls/HRB/guide").get_json(), schema)
