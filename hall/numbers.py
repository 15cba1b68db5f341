"""Service numbers, access codes and queue numbers.

A service number (服务编号) is the visitor's permanent handle for a visit: 15 characters,
``YYMMDD`` (day of issue) + ``NNN`` (the hall's node number) + ``SSSSS`` (that hall's visit of
the day) + one ISO 7064 MOD 11-2 check character, as at the end of a resident ID number. It is
unique across halls and days by construction, and the check character catches every single
mistyped character and every swap of two neighbours before anything is looked up.
"""
from __future__ import annotations

import re
import secrets
from datetime import date

from stdnum.iso7064 import mod_11_2

from .errors import InvalidServiceNumber, NumbersExhausted, ServiceNumberMistyped

SERVICE_NO_LENGTH = 15
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
    """For reading aloud and printing: ``261122-001-00042-7`` (day, hall, visit, check)."""
    return f"{number[:6]}-{number[6:9]}-{number[9:14]}-{number[14:]}"


def new_access_code() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def queue_number(prefix: str, seq: int) -> str:
    """``A012``: the prefix letter and at least three digits."""
    return f"{prefix}{seq:03d}"
