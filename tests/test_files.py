"""Uploaded files (issue 15): the type from the content, the limits, hostile PDFs and images,
names that never become paths, bytes that never outlive a rolled-back move, who may read,
and the retention job."""
from __future__ import annotations

import io
import os
import stat
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from conftest import actor
from file_helpers import flate_stream, hand_pdf, jpeg, object_stream, pdf, png
from hall import clock, files
from hall.db import write_transaction
from hall.events import Actor
from hall.file_checks import display_name, sniff
from hall.file_errors import (
    FileEmpty,
    FileGone,
    FileNotFound,
    FilesTooLargeTogether,
    FileTooLarge,
    FileTypeMismatch,
    FileTypeRefused,
    TooManyFiles,
    UnsafeFile,
    UploadDailyLimit,
)
from hall.lookup import get_hall
from hall.models import Event, Staff, StoredFile
from hall.storage import BadKey, LocalStorage, from_setting
from hall.web.extensions import db
from hall.web.files import read_upload

CITIZEN = Actor("visitor")
OWNER = "test-owner"


def _store(hall_code: str = "HQ", *, data: bytes | None = None, filename: str = "scan.pdf",
           owner: str = OWNER, owner_id: int = 1, label: str = "身份证复印件",
           who: Actor = CITIZEN) -> StoredFile:
    hall = get_hall(db.session, hall_code)
    return files.store_now(db.session, hall, owner=owner, owner_id=owner_id, label=label,
                           filename=filename, data=pdf() if data is None else data, actor=who)


def _root(app) -> str:
    return app.config["UPLOAD_ROOT"]


def _kept(app) -> list[str]:
    """The keys in the storage but the demo's blank forms'."""
    with app.app_context():
        demo = set(db.session.scalars(sa.select(StoredFile.storage_key)
                                      .where(StoredFile.owner == "form")))
    return [key for key in LocalStorage(_root(app)).keys() if key not in demo]


# -- what a file is ----------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "expected"), [
    (pdf(), "application/pdf"),
    (png(), "image/png"),
    (jpeg(), "image/jpeg"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56), None),         # a Windows executable
    (b"\x7fELF\x02\x01\x01" + bytes(57), None),                 # a Linux executable
    (b"#!/bin/sh\nrm -rf /\n", None),                          # a script
    (b"PK\x03\x04\x14\x00\x00\x00", None),                     # a ZIP (and .docx, .apk)
    (b"<html><script>alert(1)</script>", None),
    (b"   %PDF-1.4 not at the start", None),
    (b"", None),
])
def test_the_type_is_read_from_the_first_bytes(data, expected):
    assert sniff(data) == expected


@pytest.mark.parametrize(("data", "name", "error"), [
    (b"MZ\x90\x00" + bytes(200), "身份证.pdf", FileTypeRefused),   # a renamed executable
    (b"\x7fELF" + bytes(200), "photo.jpg", FileTypeRefused),
    (b"PK\x03\x04" + bytes(200), "scan.png", FileTypeRefused),
    (png(), "scan.pdf", FileTypeMismatch),                          # the name says PDF
    (pdf(), "photo.JPG", FileTypeMismatch),
    (pdf(), "setup.exe", FileTypeMismatch),
    (pdf(), "invoice\u202efdp.exe", FileTypeMismatch),  # shows as "invoiceexe.pdf"
    (jpeg(), "photo.png", FileTypeMismatch),
    (b"", "empty.pdf", FileEmpty),
])
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_kept(app, data, name,
                                                                          error):
    with app.app_context():
        with pytest.raises(error):
            _store(data=data, filename=name)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)
                                 .where(StoredFile.owner == OWNER)) == 0
    assert _kept(app) == []


def test_a_pdf_a_png_and_a_jpeg_are_kept_with_their_hash_and_read_back(any_app):
    with any_app.app_context():
        made = {"a.pdf": pdf(), "b.png": png(), "c.jpeg": jpeg()}
        stored = [_store(data=data, filename=name, owner_id=7) for name, data in made.items()]
        listed = files.files_of(db.session, OWNER, 7)
        assert [f.id for f in listed] == [f.id for f in stored]
        assert [f.content_type for f in listed] == ["application/pdf", "image/png",
                                                    "image/jpeg"]
        assert [f.original_name for f in listed] == ["a.pdf", "b.png", "c.jpg"]
        for row, data in zip(listed, made.values(), strict=True):
            assert files.read(row) == data
            assert row.size == len(data)
            import hashlib
            assert row.sha256 == hashlib.sha256(data).hexdigest()
            assert row.uploaded_by == "citizen"
        stored = db.session.scalars(sa.select(Event).where(Event.kind == "file.stored"))
        assert len([e for e in stored if e.data["owner"] == OWNER]) == 3


def test_the_bytes_are_private_to_the_server_and_named_by_a_random_key(app, tmp_path):
    with app.app_context():
        row = _store(filename="../../etc/passwd")
        path = os.path.join(_root(app), row.storage_key[:2], row.storage_key)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
        assert row.original_name == "passwd.pdf"
    # nothing anywhere is named after what the visitor typed
    walked = [name for _, dirs, names in os.walk(_root(app)) for name in dirs + names]
    assert not [n for n in walked if "passwd" in n or "etc" == n]
    fresh = LocalStorage(tmp_path / "new" / "uploads")
    fresh.put("a" * 32, b"x")
    assert stat.S_IMODE(os.stat(fresh.root).st_mode) == 0o700


@pytest.mark.parametrize(("given", "shown"), [
    ("../../etc/passwd", "passwd.pdf"),
    ("..\\..\\windows\\system32\\cmd.pdf", "cmd.pdf"),
    ("/absolute/path/扫描件.PDF", "扫描件.pdf"),
    ("evil\x00.pdf", "evil.pdf"),
    ("scan\u202efdp.exe.pdf", "scanfdp.exe.pdf"),  # the right-to-left override taken out
    ("..", "file.pdf"),
    ("", "file.pdf"),
    (None, "file.pdf"),
    ("身份证正反面", "身份证正反面.pdf"),
    ('con:"what"?.pdf', "con__what__.pdf"),
])
def test_a_name_is_only_shown_never_used_as_a_path(given, shown):
    assert display_name(given, "application/pdf") == shown


def test_a_very_long_name_is_shortened_keeping_its_type():
    name = display_name("申" * 5000 + ".pdf", "application/pdf")
    assert len(name) == 120 and name.endswith(".pdf")


def test_storage_refuses_any_key_it_did_not_make(tmp_path):
    storage = LocalStorage(tmp_path)
    for key in ("../../etc/passwd", "ab/../../x", "A" * 32, "", "0" * 31, "0" * 32 + "\x00"):
        with pytest.raises(BadKey):
            storage.put(key, b"x")
    storage.put("0" * 32, b"kept")
    assert storage.get("0" * 32) == b"kept" and storage.exists("0" * 32)
    storage.delete("0" * 32)
    storage.delete("0" * 32)  # twice is fine
    assert not storage.exists("0" * 32)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_back_end_is_named_by_a_setting(tmp_path):
    assert isinstance(from_setting("local", tmp_path), LocalStorage)
    assert isinstance(from_setting("hall.storage:LocalStorage", tmp_path), LocalStorage)
    with pytest.raises(ValueError):
        from_setting("s3", tmp_path)


# -- sizes and limits --------------------------------------------------------------------------

def test_an_oversized_file_is_refused(app):
    with app.app_context():
        settings = files.settings_of(db.session)
        files.configure(db.engine, replace(settings, max_bytes=2048))
        with pytest.raises(FileTooLarge) as refused:
            _store(data=pdf("x" * 10) + b"%" * 4096)
        assert refused.value.problem_fields() == {"max_bytes": 2048}
    assert _kept(app) == []


class _Endless(io.RawIOBase):
    """An upload that never ends: counts what was read of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"%" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_an_oversized_upload_is_refused_before_it_is_read_whole(app):
    stream = _Endless()
    with app.test_request_context():
        with pytest.raises(FileTooLarge):
            read_upload(FileStorage(stream, filename="big.pdf"), max_bytes=1024 * 1024)
    assert stream.read_bytes <= 1024 * 1024 + 64 * 1024


def test_the_files_of_one_submission_are_limited_in_number_and_bytes(app):
    with app.app_context():
        settings = files.settings_of(db.session)
        files.configure(db.engine, replace(settings, max_files=2))
        _store(owner_id=3)
        _store(owner_id=3)
        with pytest.raises(TooManyFiles):
            _store(owner_id=3)
        _store(owner_id=4)  # another submission has its own count
        one = len(pdf())
        files.configure(db.engine, replace(settings, max_total_bytes=one * 2 + 10))
        _store(owner_id=5)
        _store(owner_id=5)
        with pytest.raises(FilesTooLargeTogether):
            _store(owner_id=5)


def test_uploads_per_hall_and_kind_of_owner_are_limited_per_day(app):
    with app.app_context():
        settings = files.settings_of(db.session)
        files.configure(db.engine, replace(settings, daily_limit=2))
        _store(owner_id=1)
        _store(owner_id=2)
        with pytest.raises(UploadDailyLimit):
            _store(owner_id=3)
        _store(owner="other-owner", owner_id=3)   # another kind of owner
        _store("HRB", owner_id=3)                 # another hall
        with clock.frozen(clock.now() + timedelta(days=1)):
            _store(owner_id=3)                    # the next day


# -- hostile PDFs and images -------------------------------------------------------------------

def test_a_zip_bomb_in_a_pdf_is_refused(app):
    bomb = hand_pdf(b"<< /Type /Catalog >>", flate_stream(110 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024
    with app.app_context(), pytest.raises(UnsafeFile) as refused:
        _store(data=bomb)
    assert refused.value.problem_fields() == {"reason": "bomb"}
    assert _kept(app) == []


def test_a_small_pdf_that_unpacks_to_far_more_than_its_size_is_refused(app):
    bomb = hand_pdf(b"<< /Type /Catalog >>", flate_stream(20 * 1024 * 1024))
    with app.app_context(), pytest.raises(UnsafeFile):
        _store(data=bomb)


def test_an_ordinary_compressed_pdf_is_accepted(app):
    page = hand_pdf(b"<< /Type /Catalog >>", flate_stream(2 * 1024 * 1024))  # a blank scan
    with app.app_context():
        assert _store(data=page).content_type == "application/pdf"


@pytest.mark.parametrize("body", [
    b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
    b"<< /Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
    b"<< /Type /Action /S /Launch /F (cmd.exe) >>",
    b"<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>",
])
def test_a_pdf_that_runs_scripts_or_programs_is_refused(app, body):
    with app.app_context(), pytest.raises(UnsafeFile) as refused:
        _store(data=hand_pdf(body))
    assert refused.value.why == "active"


def test_a_script_hidden_in_a_compressed_object_stream_is_found(app):
    hidden = hand_pdf(b"<< /Type /Catalog >>",
                      object_stream(b"3 0 << /S /JavaScript /JS (app.alert(1)) >>"))
    with app.app_context(), pytest.raises(UnsafeFile):
        _store(data=hidden)


def test_an_encrypted_pdf_is_refused(app):
    with app.app_context(), pytest.raises(UnsafeFile) as refused:
        _store(data=pdf(encrypt="secret"))
    assert refused.value.why == "encrypted"


def test_an_image_declaring_too_many_pixels_is_refused(app):
    with app.app_context():
        with pytest.raises(UnsafeFile) as refused:
            _store(data=png(declared=(100_000, 100_000)), filename="bomb.png")
        assert refused.value.why == "pixels"
        with pytest.raises(UnsafeFile):
            _store(data=b"\xff\xd8\xff\xe0\x00\x10JFIF", filename="cut.jpg")  # no frame


# -- transactions --------------------------------------------------------------------------------

class _Refused(Exception):
    pass


def test_a_move_that_rolls_back_leaves_no_row_and_no_bytes(any_app):
    with any_app.app_context():
        hall = get_hall(db.session, "HQ")
        before = set(_kept(any_app))
        with pytest.raises(_Refused), write_transaction(db.session):
            for n in range(3):
                files.store(db.session, hall, owner=OWNER, owner_id=99, label="材料",
                            filename=f"{n}.pdf", data=pdf(), actor=CITIZEN)
            assert len(set(_kept(any_app)) - before) == 3  # written before the commit...
            raise _Refused  # ...and the move fails after
        assert set(_kept(any_app)) == before
        assert files.files_of(db.session, OWNER, 99) == []


def test_store_must_be_part_of_a_move(app):
    with app.app_context(), pytest.raises(RuntimeError):
        files.store(db.session, get_hall(db.session, "HQ"), owner=OWNER, owner_id=1,
                    label="x", filename="a.pdf", data=pdf(), actor=CITIZEN)


def test_every_committed_row_has_its_bytes(app):
    with app.app_context():
        rows = [_store(owner_id=n) for n in range(3)]
        storage = files.settings_of(db.session).storage
        assert all(storage.exists(r.storage_key) for r in rows)


# -- who may read ---------------------------------------------------------------------------------

def _staff(username: str) -> Staff:
    return db.session.scalar(sa.select(Staff).where(Staff.username == username))


def test_a_file_is_read_by_whom_its_owner_allows_never_by_its_id_alone(app):
    files.register_owner("test-division-read",
                         lambda session, file, staff: staff.has_role("division"))
    with app.app_context():
        row = _store(owner="test-division-read")
        unruled = _store(owner="test-nobody-registered")
        assert not files.may_read(db.session, row)                       # an id alone
        assert files.may_read(db.session, row, access_ok=True)           # the code proved
        assert files.may_read(db.session, row, staff=_staff("division01"))
        assert not files.may_read(db.session, row, staff=_staff("clerk01"))  # the rule
        assert not files.may_read(db.session, unruled, staff=_staff("division01"))
        other_hall = _store("HRB", owner="test-division-read")
        assert not files.may_read(db.session, other_hall, staff=_staff("division01"))
        assert not files.may_read(db.session, row, staff=_staff("hrb-clerk01"))


def test_get_checks_the_owner_a_route_names(app):
    with app.app_context():
        row = _store(owner_id=11)
        assert files.get(db.session, row.id, owner=OWNER, owner_id=11) is row
        with pytest.raises(FileNotFound):
            files.get(db.session, row.id, owner=OWNER, owner_id=12)
        with pytest.raises(FileNotFound):
            files.get(db.session, row.id, owner="application")
        with pytest.raises(FileNotFound):
            files.get(db.session, 10**9)


# -- keeping for the legal time, then deleting ---------------------------------------------------

def test_the_retention_job_deletes_only_what_has_expired_and_audits_it(any_app):
    with any_app.app_context():
        now = clock.now()
        expired = _store(owner_id=21)
        kept_longer = _store(owner_id=22)
        never = _store(owner_id=23)
        with write_transaction(db.session):
            assert files.retain(db.session, OWNER, 21, now - timedelta(minutes=1)) == 1
            files.retain(db.session, OWNER, 22)  # the legal time from now
        assert kept_longer.retain_until > now + timedelta(days=179)
        storage = files.settings_of(db.session).storage
        assert files.expire(db.session, now) == 1
        db.session.expire_all()
        assert expired.deleted_at is not None and not storage.exists(expired.storage_key)
        assert kept_longer.deleted_at is None and storage.exists(kept_longer.storage_key)
        assert never.deleted_at is None and storage.exists(never.storage_key)
        assert files.files_of(db.session, OWNER, 21) == []
        with pytest.raises(FileGone):
            files.read(expired)
        event = db.session.scalars(sa.select(Event).where(Event.kind == "file.deleted")).one()
        assert event.data["file"] == expired.id and event.actor == "system"
        assert files.expire(db.session, now) == 0  # nothing twice
        assert files.expire(db.session, now + timedelta(days=181)) == 1


def test_flask_files_expire_runs_the_job(app):
    with app.app_context():
        row = _store(owner_id=31)
        with write_transaction(db.session):
            files.retain(db.session, OWNER, 31, clock.now() - timedelta(seconds=1))
    result = app.test_cli_runner().invoke(args=["files", "expire"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    with app.app_context():
        assert db.session.get(StoredFile, row.id).deleted_at is not None


def test_a_staff_upload_names_its_uploader(app):
    with app.app_context():
        row = _store(who=actor(app, "division01"))
        assert row.uploaded_by == "division01" and row.uploaded_by_id is not None


def test_flask_files_check_finds_orphans_and_missing_bytes(app):
    with app.app_context():
        row = _store(owner_id=41)
        storage = files.settings_of(db.session).storage
        storage.put("f" * 32, b"left by a killed process")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["files", "check"])
    assert result.exit_code == 0 and "1 orphaned" in result.output, result.output
    result = runner.invoke(args=["files", "check", "--delete-orphans"])
    assert "Deleted 1" in result.output
    with app.app_context():
        assert not storage.exists("f" * 32) and storage.exists(row.storage_key)
        storage.delete(row.storage_key)
    result = runner.invoke(args=["files", "check"])
    assert result.exit_code == 1 and "1 rows without" in result.output


def _photo(fmt: str) -> bytes:
    """A phone photo as phones write it: Exif with the place it was taken (GPS), the device,
    the orientation (6: turn right to view), and a comment or text chunk."""
    from PIL import Image

    picture = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Pixel 9 of 欧阳芒"  # Model
    exif[0x0112] = 6  # Orientation
    exif.get_ifd(0x8825)[2] = (31.0, 14.0, 2.5)  # GPSLatitude
    buffer = io.BytesIO()
    if fmt == "JPEG":
        picture.save(buffer, "JPEG", exif=exif.tobytes(), comment=b"home, 12 Lane 3")
    else:
        from PIL.PngImagePlugin import PngInfo

        text = PngInfo()
        text.add_text("Author", "home, 12 Lane 3")
        picture.save(buffer, "PNG", exif=exif.tobytes(), pnginfo=text)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt, name", [("JPEG", "id.jpg"), ("PNG", "id.png")])
def test_a_photo_is_kept_without_where_and_with_what_it_was_taken(app, fmt, name):
    from PIL import Image

    sent = _photo(fmt)
    assert b"Pixel 9" in sent and b"12 Lane 3" in sent
    with app.app_context():
        row = _store(data=sent, filename=name)
        kept = files.read(row)
    assert b"Pixel 9" not in kept and b"12 Lane 3" not in kept
    picture = Image.open(io.BytesIO(kept))
    picture.load()  # the picture itself is whole: its scans were copied, not re-encoded
    assert picture.size == (40, 30)
    exif = picture.getexif()
    assert 0x8825 not in exif and 0x0110 not in exif  # no GPS, no device
    if fmt == "JPEG":
        assert exif[0x0112] == 6  # still shown upright
    import hashlib
    assert row.size == len(kept) and row.sha256 == hashlib.sha256(kept).hexdigest()


def test_bytes_hidden_after_a_png_ends_are_not_kept(app):
    with app.app_context():
        row = _store(data=png() + b"MZ\x90\x00 hidden program", filename="a.png")
        assert files.read(row) == png()
