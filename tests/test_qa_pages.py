"""The public Q&A's pages and API (issue 15): search in Chinese, an answer, bad input refused
readably (a page, problem+json), nothing personal shown, reads rate-limited."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from conftest import make_config
from enquiry_helpers import any_hall  # noqa: F401  (fixture)
from hall import demo_qa, qa
from hall.models import Hall, PublishedAnswer
from hall.web.extensions import db


@pytest.fixture
def published(app) -> int:
    with app.app_context():
        demo_qa.seed_demo_answers(db.session)
        return db.session.scalar(sa.select(PublishedAnswer.id).where(
            PublishedAnswer.question == "怎么办理退休手续？"))


def test_the_page_searches_and_links_answers_and_guide_items(client, published):
    page = client.get("/qa/HQ?q=怎么办理退休").get_data(as_text=True)
    assert f'href="/qa/HQ/{published}"' in page and "怎么办理退休手续？" in page
    page = client.get("/qa/HQ?q=职称").get_data(as_text=True)
    assert 'data-service="TITLE"' in page and "/guide/HQ#item-TITLE" in page
    assert demo_qa.ASKER not in page and demo_qa.PHONE not in page


def test_the_page_without_a_query_shows_the_latest(client, published):
    page = client.get("/qa/HQ?lang=en").get_data(as_text=True)
    assert "Answered lately" in page and f"/qa/HQ/{published}?lang=en" in page


def test_an_answer_page(client, published):
    response = client.get(f"/qa/HQ/{published}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "次月起" in text and demo_qa.ASKER not in text
    assert client.get(f"/qa/HRB/{published}").status_code == 404
    assert client.get("/qa/HQ/999999").status_code == 404


@pytest.mark.parametrize("bad", ["职" * 101, "退休\u202e"])
def test_bad_queries_get_a_readable_page(client, published, bad):
    response = client.get("/qa/HQ", query_string={"q": bad})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_a_nul_byte_gets_the_halls_readable_refusal(client, published):
    response = client.get("/qa/HQ", query_string={"q": "职称\x00"})
    assert response.status_code == 400 and "<html" in response.get_data(as_text=True)


def test_the_api_searches_and_gives_an_answer(client, published):
    body = client.get("/api/v1/halls/HQ/qa", query_string={"q": "怎么办理退休"}).get_json()
    assert body["terms"] == ["退休"]
    first = body["hits"][0]
    assert first["kind"] == "answer" and "退休" in first["question"]
    assert first["url"].startswith("/qa/HQ/")
    answer = client.get(f"/api/v1/halls/HQ/qa/{published}").get_json()
    assert answer["question"] == "怎么办理退休手续？" and answer["division"]["code"]
    assert not {"enquiry", "service_no", "name", "phone"} & answer.keys()
    guide = client.get("/api/v1/halls/HQ/qa", query_string={"q": "档案调入"}).get_json()
    assert any("档案" in (h.get("question") or "") for h in guide["hits"])


@pytest.mark.parametrize("query", [None, "", "职" * 101, "a\x00b"])
def test_the_api_refuses_bad_queries_as_problems(client, published, query):
    response = client.get("/api/v1/halls/HQ/qa",
                          query_string={} if query is None else {"q": query})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] in ("invalid-query", "nul-character")
    assert client.get("/api/v1/halls/HQ/qa/abc").status_code == 404


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/halls/{hall}/qa" in paths and "/api/v1/halls/{hall}/qa/{answer}" in paths


def test_public_reads_are_rate_limited(app, published):
    app.config["PUBLIC_RATE_LIMIT"] = "3/minute"
    client = app.test_client()
    statuses = [client.get("/qa/HQ?q=职称").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429


# -- the division publishes from the enquiry's page -------------------------------------------

def test_the_division_publishes_edits_and_withdraws_from_the_enquirys_page(app, client):
    from enquiry_helpers import BODY, EMAIL, NAME, PHONE, Hall
    from hall import clock, enquiries
    from test_auth import csrf_token, sign_in

    with clock.frozen(clock.now()):
        hall = Hall(app)
        made = hall.ask()
        hall.do(enquiries.reply, made.id, body="可以，请于截止日前补交继续教育证明。",
                actor=hall.title)
    sign_in(client, "division02")
    path = f"/hall/HQ/enquiries/{made.id}"
    page = client.get(path).get_data(as_text=True)
    assert "data-publishing" in page and "可以，请于截止日前补交继续教育证明。" in page
    token = csrf_token(client, path)
    refused = client.post(f"{path}/publish", data={
        "csrf_token": token, "question": f"{NAME}问：材料能否补交？", "answer": "可以补交。"})
    assert refused.status_code == 422
    assert "材料能否补交" in refused.get_data(as_text=True)  # what was typed is kept
    done = client.post(f"{path}/publish", data={
        "csrf_token": token, "question": "职称材料能否补交？", "answer": "可以补交。"})
    assert done.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "data-published=" in page
    found = client.get("/qa/HQ?q=补交").get_data(as_text=True)
    assert "职称材料能否补交？" in found
    answer_page = client.get(re.search(r'href="(/qa/HQ/\d+)"', found).group(1))
    for public in (found, answer_page.get_data(as_text=True)):
        # nothing of the asker: their name, number, contact, nor their own words
        for private in (NAME, PHONE, EMAIL, BODY, made.service_no, made.access_code):
            assert private not in public
    assert client.post(f"{path}/withdraw", data={"csrf_token": token}).status_code == 302
    assert "职称材料能否补交？" not in client.get("/qa/HQ?q=补交").get_data(as_text=True)
    assert "enquiry.unpublished" in hall.kinds(made.id)


# -- searches answered from memory (#13.2) --------------------------------------------------

def test_a_search_asked_again_shows_what_was_published_or_withdrawn_since(any_hall):
    """Searches are kept per hall, query and language while the hall's Q&A sequence holds:
    the very next search after a publish or a withdrawal, in any process, shows it."""
    from hall.web import create_app, shutdown
    from test_qa import ANSWER, QUESTION, answered

    app = any_hall.app
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    other = create_app(make_config(url, UPLOAD_ROOT=app.config["UPLOAD_ROOT"]))
    try:
        client, theirs = app.test_client(), other.test_client()
        api, page = "/api/v1/halls/HQ/qa?q=补交", "/qa/HQ?q=补交"
        assert client.get(api).get_json()["hits"] == [] and client.get(api).status_code == 200
        assert QUESTION not in client.get(page).get_data(as_text=True)
        assert theirs.get(api).get_json()["hits"] == []  # kept on the other app too
        enquiry_id = answered(any_hall)
        with app.app_context():
            before = db.session.scalar(sa.select(Hall.qa_seq).where(Hall.code == "HQ"))
        any_hall.do(qa.publish, enquiry_id, question=QUESTION, answer=ANSWER,
                    actor=any_hall.title)
        for reader in (client, theirs):
            hits = reader.get(api).get_json()["hits"]
            assert [h["question"] for h in hits if h.get("question")] == [QUESTION]
            assert QUESTION in reader.get(page).get_data(as_text=True)
        any_hall.do(qa.withdraw, enquiry_id, actor=any_hall.title)
        with app.app_context():
            assert db.session.scalar(
                sa.select(Hall.qa_seq).where(Hall.code == "HQ")) == before + 2
        for reader in (client, theirs):
            assert reader.get(api).get_json()["hits"] == []
            assert QUESTION not in reader.get(page).get_data(as_text=True)
    finally:
        shutdown(other)
        with other.app_context():
            db.engine.dispose()


def test_a_refused_query_is_kept_nowhere(client):
    for _ in range(2):
        assert client.get("/api/v1/halls/HQ/qa?q=").status_code == 400
        assert client.get("/api/v1/halls/HQ/qa?q=" + "x" * 300).status_code == 400
        assert client.get("/qa/HQ?q=" + "x" * 300).status_code == 400
    assert client.get("/api/v1/halls/NOPE/qa?q=退休").status_code == 404
