"""Compile every locale/*/LC_MESSAGES/*.po to .mo without GNU gettext.

Usage: python scripts/compilemessages.py  (from the project root, in .venv)
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
    catalogue = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"{po_path.relative_to(ROOT)}: {len(catalogue)} entries", end="")
    print(f", {len(untranslated)} untranslated" if untranslated else "")
