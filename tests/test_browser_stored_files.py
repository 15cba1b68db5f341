"""A stored file shown inline in Chromium with the headers ``send_stored`` gives every stored
file (a sandbox, no sniffing): a PDF opens in the browser's viewer, an image shows, and an
HTML file disguised as an image never runs (it is not even accepted)."""
from __future__ import annotations

import pytest

from browser import shot
from file_helpers import pdf, png
from hall import files
from hall.events import Actor
from hall.file_errors import FileTypeRefused
from hall.lookup import get_hall
from hall.web.extensions import db
from hall.web.files import send_stored


@pytest.fixture
def stored(app):
    """Two stored files of a test owner, and a route that sends one inline (as the owners'
    routes do, after their own check of who may read)."""
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        ids = {name: files.store_now(db.session, hall, owner="test-inline", owner_id=1,
                                     label=name, filename=name, data=data,
                                     actor=Actor("visitor")).id
               for name, data in (("scan.pdf", pdf("inline view")), ("photo.png", png(40, 30)))}
        with pytest.raises(FileTypeRefused):
            files.store_now(db.session, hall, owner="test-inline", owner_id=1, label="x",
                            filename="x.png", data=b"<script>alert(1)</script>",
                            actor=Actor("visitor"))
    app.add_url_rule("/test-inline/<int:file_id>", "test_inline",
                     lambda file_id: send_stored(files.get(db.session, file_id)))
    return ids


def test_a_sandboxed_pdf_and_image_are_shown_inline(browser_page, live_server, stored):
    page = browser_page
    downloads: list = []
    page.on("download", lambda download: downloads.append(download))
    response = page.goto(f"{live_server}/test-inline/{stored['photo.png']}")
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["cache-control"] == "private, no-store"
    assert page.evaluate("document.images[0].naturalWidth") == 40
    response = page.goto(f"{live_server}/test-inline/{stored['scan.pdf']}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    page.wait_for_timeout(2000)
    assert downloads == []  # shown by the browser's viewer, not saved
    # Chromium's PDF viewer (its frame on a dark grey page), not a "blocked" page
    assert "rgb(40,40,40)" in page.content().replace(" ", "")
    assert "blocked" not in page.inner_text("body").lower()
    shot(page, "stored-pdf-inline")
