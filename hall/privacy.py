"""What of a person may be shown to someone who only holds a service number.

The tracking page is public: anyone who reads or guesses a number sees it. Names are shown
masked, the way Chinese public notices do (张*三), so that the applicant recognises their own
matter and nobody else learns who it is; phone numbers keep only enough digits to be
recognised. Nothing here decides *whether* to show a field: that is the caller's rule.
"""
from __future__ import annotations

import re

MASK = "*"
# What must never stand in a text the public reads: a resident ID number (15 digits, or 17
# and a check character), a mobile number, an e-mail address. Read in the text's digits with
# spaces and dashes taken out, so that "139 1234 5678" is a number too. An office's landline
# (0451-…) is not a person's and may be published.
_ID_LIKE = re.compile(r"\d{15}|\d{17}[\dXx]")
_MOBILE_LIKE = re.compile(r"1[3-9]\d{9}")
_EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


def mask_name(name: str | None) -> str:
    """张三丰 → 张*丰, 欧阳小明 → 欧**明, 张三 → 张*; a Latin name keeps each word's initial.

    The family name (first character) is kept, as in public notices; the given name, which
    is what identifies a person, is hidden except for its last character when it has more
    than one."""
    text = (name or "").strip()
    if not text:
        return ""
    if " " in text:  # "Zhang Sanfeng", "John Smith": initials only
        return " ".join(word[0] + MASK * (len(word) - 1) for word in text.split())
    if len(text) == 1:
        return MASK
    if len(text) == 2:
        return text[0] + MASK
    return text[0] + MASK * (len(text) - 2) + text[-1]


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678; a landline keeps its last four digits only.

    Separators are kept so the number still looks like the one the applicant gave."""
    text = (phone or "").strip()
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if not digits:
        return ""
    keep_head = 3 if len(digits) == 11 and text[digits[0]] == "1" else 0  # a mobile number
    shown = set(digits[:keep_head]) | set(digits[-4:])
    return "".join(ch if (i in shown or not ch.isdigit()) else MASK for i, ch in enumerate(text))


def personal_data(text: str, *, names: tuple[str | None, ...] = ()) -> str | None:
    """What of a person ``text`` still carries: "name" (one of ``names`` in full, when it has
    two characters or more), "id" (a resident ID number), "phone" (a mobile number), "email";
    None when nothing. For texts written to be published (a notice, a public answer)."""
    for name in names:
        kept = (name or "").strip()
        if len(kept) >= 2 and kept != mask_name(kept) and kept in text:
            return "name"
    digits = re.sub(r"[\s-]", "", text)
    if _ID_LIKE.search(digits):
        return "id"
    if _MOBILE_LIKE.search(digits):
        return "phone"
    if _EMAIL_LIKE.search(text):
        return "email"
    return None
