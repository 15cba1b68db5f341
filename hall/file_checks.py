"""What an uploaded file is, read from its bytes, and whether it is safe to keep and to show.

The hall accepts three types (SPEC, issue 15): PDF, JPEG and PNG, each known by its first
bytes, never by its name or the browser's word. The name's extension must agree with the
content (a renamed file is refused); everything else (an executable, a script, an archive,
an office document) is refused. A PDF is refused when it is encrypted, carries scripts,
launch actions or embedded files (names looked for in the file and in every compressed
stream, ``#xx`` escapes decoded), or when its compressed streams unpack to far more than
the file (a "zip bomb"), measured with ``zlib.decompressobj(max_length)`` a megabyte at a
time so that checking never holds the unpacked bytes. An image is refused when its declared
size in pixels is beyond a limit (a decompression bomb), read from the PNG header or the
JPEG frame header. No PDF or image library parses the upload: the checks read a few
well-defined structures themselves, which keeps a parser's bugs out of the upload path.
"""
from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass

from .file_errors import FileEmpty, FileTypeMismatch, FileTypeRefused, UnsafeFile
from .text import clean

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
# The extension each type is saved and shown with, and the extensions a name may carry.
EXTENSION = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
EXTENSIONS = {"pdf": PDF, "jpg": JPEG, "jpeg": JPEG, "jpe": JPEG, "png": PNG}
# Words for a type in a refusal ("its content is a … file").
TYPE_WORDS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}
NAME_LIMIT = 120


@dataclass(frozen=True)
class Limits:
    """How far a PDF's streams may unpack and how many pixels an image may have."""

    pdf_max_inflated: int = 100 * 1024 * 1024
    pdf_max_ratio: int = 200
    pdf_ratio_floor: int = 16 * 1024 * 1024  # below this, any ratio (a blank scan packs well)
    max_pixels: int = 50_000_000


def sniff(data: bytes) -> str | None:
    """The type of ``data`` from its first bytes: PDF, JPEG or PNG, else None."""
    for magic, content_type in MAGIC:
        if data.startswith(magic):
            return content_type
    return None


def display_name(filename: str | None, content_type: str) -> str:
    """The name shown for a file: the last part of what the browser sent, without invisible
    characters or path separators, at most 120 characters, ending in the extension of its
    real type. Refused (FileTypeMismatch) when the name's own extension says another type.
    Never used as a path."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", clean(name))
    name = re.sub(r'[:*?"<>|]', "_", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if dot and re.fullmatch(r"[A-Za-z0-9]{1,5}", extension):
        extension = extension.lower()
        if EXTENSIONS.get(extension) != content_type:
            raise FileTypeMismatch(extension=extension[:5],
                                   actual=TYPE_WORDS[content_type])
        name = stem.strip(" .")
    own = EXTENSION[content_type]
    name = name[:NAME_LIMIT - len(own) - 1].rstrip(" .") or "file"
    return f"{name}.{own}"


def check(data: bytes, filename: str | None, limits: Limits) -> tuple[str, str]:
    """The type and display name of an upload, or the reason it is refused."""
    if not data:
        raise FileEmpty()
    content_type = sniff(data)
    if content_type is None:
        raise FileTypeRefused()
    name = display_name(filename, content_type)
    if content_type == PDF:
        check_pdf(data, limits)
    else:
        width, height = (png_size if content_type == PNG else jpeg_size)(data)
        if width <= 0 or height <= 0:
            raise UnsafeFile("broken")
        if width * height > limits.max_pixels:
            raise UnsafeFile("pixels")
    return content_type, name


# -- PDF ------------------------------------------------------------------------------------------

# Names that make a PDF act (scripts, launching programs, carrying files) or hide it.
ACTIVE = frozenset({b"JS", b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles",
                    b"RichMedia"})
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]{1,127})")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_CHUNK = 1024 * 1024


def _names(data: bytes):
    for match in _NAME.finditer(data):
        name = match.group(1)
        yield _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), name) if b"#" in name else name


def _refuse_names(data: bytes) -> None:
    for name in _names(data):
        if name == b"Encrypt":
            raise UnsafeFile("encrypted")
        if name in ACTIVE:
            raise UnsafeFile("active")


def check_pdf(data: bytes, limits: Limits) -> None:
    """Refuse an encrypted PDF, one that acts (scripts, launch, embedded files) and one whose
    compressed streams unpack beyond the limits. Every stream that holds zlib data is
    unpacked a megabyte at a time and read for the same names: object streams hide
    dictionaries from a plain look at the file."""
    _refuse_names(data)
    inflated = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        inflated += _inflate(memoryview(data)[start:end], limits, inflated, len(data))


def _inflate(stream: memoryview, limits: Limits, before: int, file_size: int) -> int:
    """The unpacked size of one stream (0 if it is not zlib data), its names checked."""
    unpacker = zlib.decompressobj()
    total, tail = 0, b""
    pending = bytes(stream)
    while pending:
        try:
            chunk = unpacker.decompress(pending, _CHUNK)
        except zlib.error:
            return total  # not zlib (an image's own coding) or damaged: nothing unpacks
        pending = unpacker.unconsumed_tail
        total += len(chunk)
        _bomb(before + total, limits, file_size)
        _refuse_names(tail + chunk)
        tail = chunk[-128:]
        if unpacker.eof or not chunk:
            break
    return total


def _bomb(inflated: int, limits: Limits, file_size: int) -> None:
    if inflated > limits.pdf_max_inflated or (
            inflated > limits.pdf_ratio_floor and inflated > limits.pdf_max_ratio * file_size):
        raise UnsafeFile("bomb")


# -- images ---------------------------------------------------------------------------------------

def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header chunk (IHDR, which must come first)."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise UnsafeFile("broken")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset(range(0xD0, 0xDA)) | {0x01}


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's frame header (SOFn), walking the markers before it."""
    at, n = 2, len(data)
    while at + 4 <= n:
        if data[at] != 0xFF:
            break
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in _SOF:
            if at + 9 > n or length < 7:
                break
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        if marker == 0xDA or length < 2:  # image data before any frame header
            break
        at += 2 + length
    raise UnsafeFile("broken")
