"""Form validation is one error type, InvalidInput, carrying the field it is about; each check
keeps the stable code and the translated message it always had."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from hall import admin
from hall.errors import HallError, InvalidInput

ROOT = Path(__file__).resolve().parents[1]


def test_each_check_keeps_its_code_status_and_message():
    with pytest.raises(InvalidInput) as raised:
        admin.check_password("short1", "clerk03")
    error = raised.value
    assert isinstance(error, HallError) and error.status == 422
    assert error.code == "weak-password" and error.message == InvalidInput.CHECKS["weak-password"]
    assert error.fields["password"].code == "weak-password"
    assert str(error) == "This password is too weak: use at least 8 characters."


def test_a_check_names_the_field_of_the_form():
    error = InvalidInput("invalid-hall-code", on="code")
    assert [(p.field, p.code) for p in error.problems] == [("code", "invalid-hall-code")]
    assert error.fields == {"code": error.problems[0]}


def test_every_check_has_a_chinese_message():
    with open(ROOT / "translations/zh/LC_MESSAGES/messages.po", "rb") as file:
        catalog = read_po(file)
    missing = [code for code, message in InvalidInput.CHECKS.items()
               if not (catalog.get(message) and catalog.get(message).string)]
    assert missing == []
    assert all(catalog.get(m).string for m in InvalidInput.WEAK_PASSWORD.values())
