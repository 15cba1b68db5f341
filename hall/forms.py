"""Blank forms (表格下载): the forms of a service item that its guide offers for download.

An administrator of the hall uploads each form (a PDF) on the item's page, with a label (the
form's name), and may remove one; both are recorded (``file.stored``, ``file.removed``) and
shown in the audit log. Forms are stored files like any other (``hall.files``, owner
``form``, owner id the item's id) and are public: anybody may download them from the guide.

Only PDF is taken: an office document (.doc/.docx/.xls/.xlsx) can carry macros and needs a
parser of its container to check, which this hall does not have; a PDF is what a citizen
prints and fills in anyway.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import admin, files
from .db import operation
from .errors import HallError
from .events import Actor
from .file_checks import PDF, sniff
from .file_errors import FileNotFound
from .lookup import get_service
from .messages import N_
from .models import Hall, ServiceItem, StoredFile

OWNER = "form"


class FormMustBePdf(HallError):
    status = 415
    code = "form-must-be-pdf"
    message = N_("A blank form is uploaded as a PDF file.")


files.register_owner(OWNER, lambda session, file, staff: True, public=True)


@operation
def add_form(session: Session, hall_code: str, service_code: str, *, label: str,
             filename: str | None, data: bytes, actor: Actor) -> StoredFile:
    """Upload a blank form of the item ``service_code``: an administrator of its hall only."""
    hall = admin.administered_hall(session, hall_code, actor)
    item = get_service(session, hall, service_code, typed=True)
    if data and sniff(data) not in (PDF, None):
        raise FormMustBePdf()
    return files.store(session, hall, owner=OWNER, owner_id=item.id, label=label,
                       filename=filename, data=data, actor=actor,
                       extra={"service": item.code})


@operation
def remove_form(session: Session, hall_code: str, file_id: int, *, actor: Actor) -> StoredFile:
    """Take a form off the guide (an administrator of its hall): its bytes are deleted."""
    hall = admin.administered_hall(session, hall_code, actor)
    form = files.get(session, file_id, owner=OWNER)
    if form.hall_id != hall.id or form.deleted_at is not None:
        raise FileNotFound()
    files.remove(session, form, actor=actor, hall=hall)
    return form


def forms_of(session: Session, item: ServiceItem) -> list[StoredFile]:
    """The item's forms, in the order they were uploaded."""
    return files.files_of(session, OWNER, item.id)


def forms_by_item(session: Session, hall: Hall) -> dict[int, list[StoredFile]]:
    """Every item's forms in the hall, by the item's id (one query, for the guide)."""
    by_item: dict[int, list[StoredFile]] = {}
    for form in session.scalars(
            select(StoredFile).where(StoredFile.hall_id == hall.id, StoredFile.owner == OWNER,
                                     StoredFile.deleted_at.is_(None))
            .order_by(StoredFile.created_at, StoredFile.id)):
        by_item.setdefault(form.owner_id, []).append(form)
    return by_item


def public_form(session: Session, hall: Hall, service_code: str, file_id: int) -> StoredFile:
    """The form ``file_id`` of the item, as the guide serves it to anybody (FileNotFound when
    it is not that item's, or was removed)."""
    item = get_service(session, hall, service_code)
    form = files.get(session, file_id, owner=OWNER, owner_id=item.id)
    if form.deleted_at is not None:
        raise FileNotFound()
    return form
