"""The one scrubber of personal numbers in free text (core.scrub), and where
it is applied: public pages, Open311 and staff without the contact right."""

import pytest

from core.scrub import contains_personal_number, scrub

MOBILE = "139****5674"
ID_MASK = "371***********123X"

FORMS = [
    # mobiles, in every way a phone keyboard writes them
    ("电话13912345674谢谢", f"电话{MOBILE}谢谢"),
    ("请打 139 1234 5674 找我", f"请打 {MOBILE} 找我"),
    ("139-1234-5674", MOBILE),
    ("139.1234.5674", MOBILE),
    ("1391 234 5674", MOBILE),
    ("+8613912345674", MOBILE),
    ("+86 139 1234 5674", MOBILE),
    ("+86-139-1234-5674", MOBILE),
    ("(+86)13912345674", MOBILE),
    ("0086 13912345674", MOBILE),
    ("008613912345674", MOBILE),
    ("8613912345674", MOBILE),
    ("１３９１２３４５６７４", MOBILE),
    ("＋８６ １３９ １２３４ ５６７４", MOBILE),
    ("１３９－１２３４－５６７４", MOBILE),
    ("tel:139\u30001234\u30005674", f"tel:{MOBILE}"),
    # resident ID numbers (18 digits, X check character), whole or 6-8-4
    ("身份证37150219800101123X", f"身份证{ID_MASK}"),
    ("身份证 371502 19800101 123X", f"身份证 {ID_MASK}"),
    ("身份证３７１５０２１９８００１０１１２３Ｘ", f"身份证{ID_MASK}"),
    ("ID 371502198001011234", "ID 371***********1234"),
    # bank cards, 16 to 19 digits, whole or in fours
    ("卡号6222021234567890", "卡号6222********7890"),
    ("卡号 6222 0212 3456 7890", "卡号 6222********7890"),
    ("卡号 6222-0212-3456-7890-123", "卡号 6222***********0123"),
    ("6222021234567890123", "6222***********0123"),
]

LEFT_ALONE = [
    "3单元301室，楼道灯不亮",
    "楼号１２号",
    "1391234567",  # ten digits: not a mobile
    "139123456745",  # twelve digits: not a mobile
    "区划 371502010000",
    "案件 P2024050100012",
    "2024-05-01 10:30",
    "2024.05.01 2024.06.01",
    "金额 12345.67 元",
    "",
]


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_scrub_masks_every_written_form(text, expected):
    """A number typed in any of its usual forms comes out masked, the text
    around it exactly as typed."""
    assert scrub(text) == expected
    assert contains_personal_number(text)


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_scrub_leaves_other_numbers_alone(text):
    """Rooms, dates, division codes, amounts and short numbers are not masked."""
    assert scrub(text) == text
    assert not contains_personal_number(text)


def test_scrub_masks_several_numbers_in_one_text():
    """Every number in a text is masked, each in its own way."""
    text = "王 13912345674，李 +86 138-0000-1111，卡 6222021234567890"
    assert scrub(text) == "王 139****5674，李 138****1111，卡 6222********7890"


def test_scrub_keeps_full_width_text_around_numbers():
    """Only the number changes: full-width digits elsewhere stay full-width."""
    assert scrub("３单元，电话１３９１２３４５６７４") == f"３单元，电话{MOBILE}"


def test_scrub_accepts_none_and_non_text():
    """None scrubs to empty text, other values to their text."""
    assert scrub(None) == ""
    assert scrub(13912345674) == MOBILE
