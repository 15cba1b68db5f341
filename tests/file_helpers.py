"""Real files for the upload tests, made here rather than committed: a PDF from reportlab, a
PNG built byte by byte, a JPEG from Pillow, and hostile PDFs written by hand."""
from __future__ import annotations

import io
import struct
import zlib


def pdf(text: str = "Service Hall", **canvas_options) -> bytes:
    """A small real PDF (one page with a line of text)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1, **canvas_options)  # the same bytes each time
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def png(width: int = 4, height: int = 3, *, declared: tuple[int, int] | None = None) -> bytes:
    """A real grey PNG; ``declared`` puts another size in its header (a pixel bomb)."""
    w, h = declared or (width, height)
    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def jpeg(width: int = 8, height: int = 6) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def hand_pdf(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A minimal PDF of the given object bodies (numbered from 1), enough for the checks."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    for n, body in enumerate(objects, 1):
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    out.write(b"trailer\n<< /Root 1 0 R " + trailer + b">>\n%%EOF\n")
    return out.getvalue()


def flate_stream(raw_size: int, *, dictionary: bytes = b"") -> bytes:
    """An object body holding a Flate stream of ``raw_size`` zero bytes, packed a megabyte
    at a time (a bomb needs no memory to make)."""
    packer = zlib.compressobj(9)
    packed = io.BytesIO()
    block = bytes(1024 * 1024)
    left = raw_size
    while left > 0:
        packed.write(packer.compress(block[:min(left, len(block))]))
        left -= len(block)
    packed.write(packer.flush())
    data = packed.getvalue()
    return (b"<< /Length %d /Filter /FlateDecode " % len(data) + dictionary + b">>\nstream\n"
            + data + b"\nendstream")


def object_stream(content: bytes) -> bytes:
    """An object stream (/ObjStm) whose compressed content is ``content``."""
    data = zlib.compress(content)
    return (b"<< /Type /ObjStm /N 1 /First 4 /Length %d /Filter /FlateDecode >>\nstream\n"
            % len(data) + data + b"\nendstream")
