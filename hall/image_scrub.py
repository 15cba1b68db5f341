"""What an uploaded photo says besides its picture, taken out before it is kept.

A citizen photographs an ID card or a certificate with a phone; the phone writes into the
file where it stood (GPS), when, with which device, and sometimes a thumbnail of the
uncropped picture. None of that is part of the document, and staff and other systems that
read the file later must not learn it, so it is dropped before the file is stored (and its
hash taken): in a JPEG every APPn segment but JFIF (APP0), the colour profile (APP2
ICC_PROFILE) and Adobe's colour transform (APP14), and every comment; in a PNG the text,
time and Exif chunks. The one fact from Exif that changes what a person sees, the
orientation of a phone photo, is written back in a minimal Exif segment of its own, so a
photo taken upright does not turn sideways.

Like ``hall.file_checks`` this walks the two formats' segment structures itself and never
decodes the picture: the scan data is copied byte for byte, so nothing is re-encoded or lost.
"""
from __future__ import annotations

import struct

from .file_checks import JPEG, PNG

_KEEP_APP = {0xE0: b"", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
_STANDALONE = frozenset(range(0xD0, 0xDA)) | {0x01}
_SOS, _COM, _APP1 = 0xDA, 0xFE, 0xE1
_ORIENTATION = 0x0112
_PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf"}


def scrub(data: bytes, content_type: str) -> bytes:
    """``data`` without its metadata (see the module), or as it was for a PDF."""
    if content_type == JPEG:
        return scrub_jpeg(data)
    if content_type == PNG:
        return scrub_png(data)
    return data


def scrub_jpeg(data: bytes) -> bytes:
    kept: list[bytes] = [data[:2]]
    orientation = 1
    at, n = 2, len(data)
    while at + 4 <= n and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _STANDALONE:
            kept.append(data[at:at + 2])
            at += 2
            continue
        if marker == _SOS:
            break  # the scans and what follows them are copied as they are
        end = at + 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
        payload = data[at + 4:end]
        if marker == _APP1 and payload.startswith(b"Exif\x00\x00"):
            orientation = _orientation(payload[6:]) or orientation
        elif not _dropped(marker, payload):
            kept.append(data[at:end])
        at = end
    if orientation != 1:
        kept.insert(2 if len(kept) > 1 and data[2:4] == b"\xff\xe0" else 1, _exif(orientation))
    kept.append(data[at:])
    return b"".join(kept)


def _dropped(marker: int, payload: bytes) -> bool:
    if marker == _COM:
        return True
    if 0xE0 <= marker <= 0xEF:
        signature = _KEEP_APP.get(marker)
        return signature is None or not payload.startswith(signature)
    return False


def _orientation(tiff: bytes) -> int | None:
    """The Orientation tag (1–8) of Exif's first directory, or None if it has none."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return None
    order = "<" if tiff[:2] == b"II" else ">"
    first = struct.unpack(order + "I", tiff[4:8])[0]
    if first + 2 > len(tiff):
        return None
    count = struct.unpack(order + "H", tiff[first:first + 2])[0]
    for index in range(count):
        entry = first + 2 + 12 * index
        if entry + 12 > len(tiff):
            return None
        tag, kind = struct.unpack(order + "HH", tiff[entry:entry + 4])
        if tag == _ORIENTATION and kind == 3:  # SHORT
            value = struct.unpack(order + "H", tiff[entry + 8:entry + 10])[0]
            return value if 1 <= value <= 8 else None
    return None


def _exif(orientation: int) -> bytes:
    """An APP1 segment holding only the Orientation tag (big-endian TIFF, one entry)."""
    tiff = (b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
            + struct.pack(">HHIHH", _ORIENTATION, 3, 1, orientation, 0) + struct.pack(">I", 0))
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def scrub_png(data: bytes) -> bytes:
    kept, at, n = [data[:8]], 8, len(data)
    while at + 12 <= n:
        length = struct.unpack(">I", data[at:at + 4])[0]
        kind = data[at + 4:at + 8]
        end = at + 12 + length
        if kind not in _PNG_DROPPED:
            kept.append(data[at:end])
        at = end
        if kind == b"IEND":
            return b"".join(kept)  # bytes hidden after the end go too
    kept.append(data[at:])
    return b"".join(kept)
