"""One scrubber for personal numbers in free text.

Residents type their numbers into descriptions, proposals and wishes in every
way a phone keyboard allows: ``+86 139 1234 5674``, ``0086-139…``,
``139.1234.5674``, full-width ``１３９…``. Whatever leaves the platform as public
text (resident pages, Open311) or reaches staff without the contact right goes
through ``scrub`` first, which masks mainland mobile numbers, 18-digit
resident ID numbers and 16–19-digit bank-card numbers.

The text is matched on a copy whose full-width digits, plus signs and
separators are folded to ASCII one character for one, so the positions agree
and everything around a number is returned exactly as it was typed.
"""

import re

# One character for one: positions in the folded copy are positions in the text.
_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},  # １ → 1
        "＋": "+",
        "－": "-",
        "．": ".",
        "\u3000": " ",  # ideographic space
        "\u00a0": " ",
        "ｘ": "x",
        "Ｘ": "X",
    }
)

# At most two separators between two digits: "139 1234 5674", "139 - 1234".
_SEP = r"[ \t.\-–—_·]{0,2}"


# IDs and cards are written whole or in their usual groups (6-8-4, fours), so
# that two dates in a row ("2024.05.01 2024.06.01") are not taken for a card.
_GROUP_SEP = r"[ \-]"
# An 18-digit resident ID: 17 digits and a digit or X check character.
_ID_RE = re.compile(
    rf"(?<![\dA-Za-z])(?:\d{{17}}|\d{{6}}{_GROUP_SEP}\d{{8}}{_GROUP_SEP}\d{{3}})[\dXx]"
    rf"(?![\dA-Za-z])"
)
# A bank card: 16 to 19 digits, often in groups of four.
_CARD_RE = re.compile(
    rf"(?<!\d)(?:\d{{16,19}}|\d{{4}}(?:{_GROUP_SEP}\d{{4}}){{3}}(?:{_GROUP_SEP}?\d{{1,3}})?)"
    rf"(?!\d)"
)
# A mainland mobile, with or without +86 / 0086 / 86 and the (+86) of forms.
_MOBILE_RE = re.compile(
    rf"(?<![\d+])(?:\(?(?:\+|00)?{_SEP}86\)?{_SEP})?(1{_SEP}[3-9](?:{_SEP}\d){{9}})(?!\d)"
)


def _only_digits(text: str) -> str:
    return re.sub(r"[^\dXx]", "", text)


def _mask_id(folded: str) -> str:
    digits = _only_digits(folded)
    return f"{digits[:3]}{'*' * 11}{digits[-4:]}"


def _mask_card(folded: str) -> str:
    digits = _only_digits(folded)
    return f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}"


def _mask_mobile(match: re.Match) -> str:
    digits = _only_digits(match.group(1))
    return f"{digits[:3]}****{digits[-4:]}"


def scrub(text) -> str:
    """Return ``text`` with every mobile, ID and bank-card number in it masked
    (``139****5674``, ``371***********123X``, ``6222***********1234``)."""
    if not text:
        return ""
    original = str(text)
    folded = original.translate(_FOLD)
    spans: list[tuple[int, int, str]] = []

    def taken(start: int, end: int) -> bool:
        return any(start < e and s < end for s, e, _r in spans)

    for pattern, mask in (
        (_ID_RE, lambda m: _mask_id(m.group(0))),
        (_CARD_RE, lambda m: _mask_card(m.group(0))),
        (_MOBILE_RE, _mask_mobile),
    ):
        for match in pattern.finditer(folded):
            if not taken(*match.span()):
                spans.append((*match.span(), mask(match)))
    if not spans:
        return original
    out, position = [], 0
    for start, end, replacement in sorted(spans):
        out.append(original[position:start])
        out.append(replacement)
        position = end
    out.append(original[position:])
    return "".join(out)


def contains_personal_number(text) -> bool:
    """Return whether ``text`` holds a number that ``scrub`` would mask."""
    return bool(text) and scrub(text) != str(text)
