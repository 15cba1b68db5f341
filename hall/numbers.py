"""Service numbers, case numbers, access codes, queue numbers and resident ID numbers.

A service number (服务编号) is the visitor's permanent handle for a visit: 15 characters,
``YYMMDD`` (day of issue) + ``NNN`` (the hall's node number) + ``SSSSS`` (that hall's visit of
the day) + one ISO 7064 MOD 11-2 check character, as at the end of a resident ID number. It is
unique across halls and days by construction, and the check character catches every single
mistyped character and every swap of two neighbours before anything is looked up.

A case number (办件编号) is built the same way, so that it is read over the phone and checked
alike: ``BJ`` (办件) + ``YYMMDD`` (day of acceptance) + ``NNN`` (node) + ``SSSS`` (that hall's
case of the day) + the check character over the 13 digits.
"""
from __future__ import annotations

import re
import secrets
from datetime import date

from stdnum import numdb
from stdnum.iso7064 import mod_11_2

from .errors import (
    CaseNumberMistyped,
    IdNumberBirthDate,
    IdNumberMistyped,
    InvalidCaseNumber,
    InvalidIdNumber,
    InvalidServiceNumber,
    NumbersExhausted,
    ServiceNumberMistyped,
)

SERVICE_NO_LENGTH = 15
CASE_NO_PREFIX = "BJ"
CASE_NO_LENGTH = 16
MAX_DAILY_VISITS = 99_999
_SERVICE_NO = re.compile(r"^\d{14}[\dX]$")
# Separators people type or read aloud between groups; removed before checking.
_SEPARATORS = re.compile(r"[\s\-_.·—]+")

# No 0/O, 1/I/L: an access code is read off paper and typed on a phone.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 8


def service_number(day: date, node_no: int, serial: int) -> str:
    """The service number of the ``serial``-th visit of ``day`` in hall ``node_no``."""
    if not 1 <= node_no <= 999:
        raise ValueError(f"hall node number {node_no} out of range")
    if not 1 <= serial <= MAX_DAILY_VISITS:
        raise NumbersExhausted()
    body = f"{day:%y%m%d}{node_no:03d}{serial:05d}"
    return body + mod_11_2.calc_check_digit(body)


def normalize(raw: str) -> str:
    """Drop separators and spaces, and read a lower-case x as X."""
    return _SEPARATORS.sub("", raw or "").upper()


def parse_service_number(raw: str) -> str:
    """The canonical service number, or a clear error: wrong shape, or a mistyped character."""
    number = normalize(raw)
    if not _SERVICE_NO.match(number):
        raise InvalidServiceNumber()
    if not mod_11_2.is_valid(number):
        raise ServiceNumberMistyped()
    return number


def is_service_number(raw: str) -> bool:
    try:
        parse_service_number(raw)
    except InvalidServiceNumber:
        return False
    return True


def grouped(number: str) -> str:
    """For reading aloud and printing: ``261122-001-00042-7`` (day, hall, visit, check), and a
    case number as ``BJ261122-001-0042-7``."""
    if number.startswith(CASE_NO_PREFIX):
        body = number[len(CASE_NO_PREFIX):]
        return f"{CASE_NO_PREFIX}{body[:6]}-{body[6:9]}-{body[9:13]}-{body[13:]}"
    return f"{number[:6]}-{number[6:9]}-{number[9:14]}-{number[14:]}"


def new_access_code() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def queue_number(prefix: str, seq: int) -> str:
    """``A012``: the prefix letter and at least three digits."""
    return f"{prefix}{seq:03d}"


# -- case numbers (办件编号) ---------------------------------------------------------------------

MAX_DAILY_CASES = 9_999
_CASE_NO_BODY = re.compile(r"^\d{13}[\dX]$")


def case_number(day: date, node_no: int, serial: int) -> str:
    """The number of the ``serial``-th case accepted on ``day`` in hall ``node_no``."""
    if not 1 <= node_no <= 999:
        raise ValueError(f"hall node number {node_no} out of range")
    if not 1 <= serial <= MAX_DAILY_CASES:
        raise NumbersExhausted()
    body = f"{day:%y%m%d}{node_no:03d}{serial:04d}"
    return CASE_NO_PREFIX + body + mod_11_2.calc_check_digit(body)


def looks_like_case_number(raw: str) -> bool:
    """Typed as a case number (``BJ`` and 14 characters, or the 14 without ``BJ``), right or
    wrong: what a search box should check as one."""
    text = normalize(raw)
    return text.startswith(CASE_NO_PREFIX) or bool(_CASE_NO_BODY.match(text))


def parse_case_number(raw: str) -> str:
    """The canonical case number (``BJ…``), or a clear error: wrong shape, or mistyped. The
    ``BJ`` may be left out, as people do when they read the digits aloud."""
    text = normalize(raw)
    body = text[len(CASE_NO_PREFIX):] if text.startswith(CASE_NO_PREFIX) else text
    if not _CASE_NO_BODY.match(body):
        raise InvalidCaseNumber()
    if not mod_11_2.is_valid(body):
        raise CaseNumberMistyped()
    return CASE_NO_PREFIX + body


# -- resident ID numbers (居民身份证号码, GB 11643-1999) ------------------------------------------

_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_EARLIEST_BIRTH = date(1900, 1, 1)


def parse_resident_id(raw: str, today: date) -> str:
    """The ID number as stored, if its shape, birth date and check character are right.

    The first six digits are where the number was issued, which may be decades after the
    birth and under a code renamed since (Harbin's 香坊区 is 230110 since 2006): they are not
    checked against the birth year, only reported by ``region_known``."""
    number = normalize(raw)
    if not _RESIDENT_ID.match(number):
        raise InvalidIdNumber()
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberBirthDate(date=number[6:14]) from None
    if not _EARLIEST_BIRTH <= born <= today:
        raise IdNumberBirthDate(date=born.isoformat())
    if not mod_11_2.is_valid(number):
        raise IdNumberMistyped()
    return number


def region_known(number: str) -> bool:
    """Whether the first six digits are a county-level code of the published lists (any
    year). An unknown one is a reason for the clerk to look at the card again, never a
    refusal: the lists lag behind new districts."""
    found = numdb.get("cn/loc").info(number[:6])
    return any("county" in props for _part, props in found)
