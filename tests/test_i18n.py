"""Chinese first: every text the hall shows has its Chinese translation."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def msgids(path: Path) -> dict[str, str]:
    """Each message and its translation; a fuzzy one (Babel's guess from a similar message,
    often wrong) counts as untranslated."""
    with path.open("rb") as fh:
        return {m.id: "" if m.fuzzy else m.string for m in read_po(fh) if m.id}


def test_every_message_in_the_code_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "_l", "-o", str(pot), "--no-location", "--ignore-dirs",
         ".* _* .venv tests bench migrations", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    in_code = set(msgids(pot))
    chinese = msgids(ROOT / "translations/zh/LC_MESSAGES/messages.po")
    assert len(in_code) > 50
    missing = sorted(m for m in in_code if not chinese.get(m))
    assert missing == [], "run `make extract-messages` and translate these"
