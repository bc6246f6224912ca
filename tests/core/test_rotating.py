"""Codes that change with time (core.rotating), carried by the QR codes
projected at meetings and activities."""

from core.rotating import rotating_check, rotating_code, rotating_seconds_left

WINDOW = 120
START = 1_800_000_000 - 1_800_000_000 % WINDOW  # the start of a window


def test_rotating_code_accepts_the_current_and_previous_window_only():
    """A code works in its window and the next one, then never again."""
    code = rotating_code("meeting", 7, at=START + 5)
    assert rotating_check("meeting", 7, code, at=START + 119)
    assert rotating_check("meeting", 7, code, at=START + WINDOW + 119)
    assert not rotating_check("meeting", 7, code, at=START + 2 * WINDOW)
    assert not rotating_check("meeting", 7, code, at=START - 1)


def test_rotating_code_is_bound_to_its_kind_and_object():
    """One meeting's code does not open another meeting or an activity."""
    code = rotating_code("meeting", 7, at=START)
    assert not rotating_check("meeting", 8, code, at=START)
    assert not rotating_check("activity", 7, code, at=START)


def test_rotating_check_refuses_junk():
    """Empty, short, long or non-ASCII codes are refused, not errors."""
    for junk in ("", "abc", "x" * 200, "代码代码代码代码代码", "\x00" * 10):
        assert not rotating_check("meeting", 7, junk, at=START)


def test_rotating_seconds_left_counts_down_to_the_change():
    """The projector page reloads when the code changes."""
    assert rotating_seconds_left(at=START + 20) == 100
    assert rotating_seconds_left(at=START) == WINDOW
