"""Natural order of names people number: 第一网格 … 第九网格, 第十网格, 2号楼
before 10号楼. Code-point order puts 第九 before 第二 and 10 before 2."""

import re

_NUMERALS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBER = re.compile(r"\d+|[零一二两三四五六七八九十百千]+")


def chinese_number(text: str) -> int:
    """Return the value of a Chinese numeral of up to four digits (九 → 9,
    十二 → 12, 二十 → 20, 一百零五 → 105)."""
    total, digit = 0, None
    for char in text:
        if char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            digit = _NUMERALS[char]
    return total + (digit or 0)


def natural_key(name: str) -> tuple:
    """Return a sort key that orders the numbers in ``name`` by value, whether
    written in digits or in Chinese numerals; the rest by its text."""
    key: list = []
    position = 0
    for match in _NUMBER.finditer(name):
        number = match.group()
        value = int(number) if number.isdigit() else chinese_number(number)
        key += [name[position : match.start()], value]
        position = match.end()
    key.append(name[position:])
    return tuple((0, part) if isinstance(part, int) else (1, part) for part in key)
