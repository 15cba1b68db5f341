"""Staff accounts: password hashes and the roles that decide what each person may do."""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from .models import Role, Staff, StaffRole


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def check_password(staff: Staff, password: str) -> bool:
    return bool(staff.active and staff.password_hash and
                check_password_hash(staff.password_hash, password))


def new_staff(*, hall, username: str, name: str, password_hash: str,
              roles: set[Role] | set[str], division=None) -> Staff:
    return Staff(hall=hall, username=username, name=name, password_hash=password_hash,
                 division=division, active=True,
                 role_rows=[StaffRole(role=Role(r).value) for r in sorted(roles)])
