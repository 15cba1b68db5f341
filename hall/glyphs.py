"""Which characters the receipts' fonts can print, and what to print instead.

The PDFs use two fonts that are never embedded: reportlab's CID font ``STSong-Light`` for
Chinese and the standard Helvetica for Latin text. A character a font cannot encode prints as
an empty box or a black square (.notdef), so every string drawn is split here into runs of a
font that has each character, and a character neither has is replaced by one that looks the
same (the Chinese interpunct ``·`` of minority names, 买买提·艾力, by ``・``) or by ``〓``, the
mark Chinese typesetting has always used for a character it cannot set.

``STSONG_RANGES`` are the Unicode code points that the ``UniGB-UCS2-H`` CMap (the encoding
reportlab gives STSong-Light) maps to a glyph; any other code reaches the printer as CID 0,
.notdef. Derived from Adobe's CMap resources (Copyright 1990-20xx Adobe Systems Incorporated;
BSD 3-Clause licence, see ``hall/glyphs-LICENSE.txt``).
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

CJK_FONT = "STSong-Light"
# Helvetica and its bold, as reportlab writes them: WinAnsiEncoding (code page 1252).
LATIN_FONTS = ("Helvetica", "Helvetica-Bold")
MISSING = "\u3013"  # 〓, the typesetter's mark for a character that cannot be set

STSONG_RANGES = """
0020-007E 00A4-00A5 00A7-00A8 00B0-00B1 00D7 00E0-00E1 00E8-00EA 00EC-00ED 00F2-00F3 00F7
00F9-00FA 00FC 0101 0113 011B 012B 014D 016B 01CE 01D0 01D2 01D4 01D6 01D8 01DA 01DC 01F9
02C7 02C9-02CB 02D9 0391-03A1 03A3-03A9 03B1-03C1 03C3-03C9 0401 0410-044F 0451 1E3F 2010
2013-2016 2018-2019 201C-201D 2025-2026 2030 2032-2033 2035 203B 20AC 2103 2105 2109 2116
2121 2160-216B 2170-2179 2190-2193 2196-2199 2208 220F 2211 2215 221A 221D-2220 2223 2225
2227-222B 222E 2234-2237 223D 2248 224C 2252 2260-2261 2264-2267 226E-226F 2295 2299 22A5
22BF 22EF 2312 2460-2469 2474-249B 2500-254B 2550-2573 2581-258F 2593-2595 25A0-25A1
25B2-25B3 25BC-25BD 25C6-25C7 25CB 25CE-25CF 25E2-25E5 2605-2606 2609 2640 2642 2E80-2E99
2E9B-2EF3 2F00-2FD5 2FF0-2FFB 3000-3003 3005-3017 301D-301E 3021-3029 3033-3035 3038-303A
303E-303F 3041-3094 309B-309E 30A1-30FE 3105-312C 31A0-31B7 3220-3229 3231 32A3 338E-338F
339C-339E 33A1 33C4 33CE 33D1-33D2 33D5 3400-4DB5 4E00-9FA5 E816-E818 E81E E826 E82B-E82C
E831-E832 E83B E843 E854-E855 E864 F92C FA0D-FA0F FA11 FA13-FA14 FA18 FA1F-FA21 FA23-FA24
FA27-FA29 FE30 FE49-FE52 FE54-FE57 FE59-FE66 FE68-FE6B FF01-FF5E FFE0-FFE5
"""

# Characters the fonts lack that have a twin they do have.
LOOKALIKES = {
    "\u00b7": "\u30fb",  # · middle dot (interpunct, 间隔号) → ・
    "\u2022": "\u30fb",  # • bullet
    "\u2027": "\u30fb",  # ‧ hyphenation point
    "\u22c5": "\u30fb",  # ⋅ dot operator
    "\u2219": "\u30fb",  # ∙ bullet operator
    "\u00a0": " ",        # no-break space
    "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u202f": " ",
    "\u2212": "-",        # − minus sign
    "\u2011": "-",        # non-breaking hyphen
}


def _parse(text: str) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for item in text.split():
        low, _, high = item.partition("-")
        starts.append(int(low, 16))
        ends.append(int(high or low, 16))
    return starts, ends


_STARTS, _ENDS = _parse(STSONG_RANGES)


def cjk_has(char: str) -> bool:
    """Whether STSong-Light (through UniGB-UCS2-H) has a glyph for ``char``."""
    code = ord(char)
    i = bisect_right(_STARTS, code) - 1
    return i >= 0 and code <= _ENDS[i]


def latin_has(char: str) -> bool:
    """Whether Helvetica (WinAnsiEncoding) has a glyph for ``char``."""
    if char < " " or char == "\x7f":
        return False
    try:
        byte = char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return byte not in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def has(font: str, char: str) -> bool:
    """Whether ``font`` (one of the receipts' fonts) can print ``char``."""
    return cjk_has(char) if font == CJK_FONT else latin_has(char)


def printable(text: str, font: str) -> Iterator[tuple[str, str]]:
    """``text`` as runs of (text, font) that print: in ``font`` where it has the character,
    else in the other of the two, else a look-alike, else 〓."""
    other = LATIN_FONTS[0] if font == CJK_FONT else CJK_FONT
    run, run_font = "", font
    for char in text:
        char = LOOKALIKES.get(char, char)
        if font == CJK_FONT and "\u00a0" <= char <= "\u02ff" and latin_has(char):
            chosen = LATIN_FONTS[0]  # é in a Chinese line: STSong's is full-width pinyin
        elif has(font, char):
            chosen = font
        elif has(other, char):
            chosen = other
        else:
            char, chosen = MISSING, CJK_FONT
        if chosen != run_font and run:
            yield run, run_font
            run = ""
        run, run_font = run + char, chosen
    if run:
        yield run, run_font


def cjk_safe(text: str) -> str:
    """``text`` as STSong-Light alone can print it (for tables drawn in one font)."""
    return "".join(LOOKALIKES.get(c, c) if cjk_has(LOOKALIKES.get(c, c)) else MISSING
                   for c in text)
