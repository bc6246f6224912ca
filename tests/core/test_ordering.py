"""Names people number sort by their numbers (core.ordering)."""

import pytest

from core.ordering import chinese_number, natural_key


@pytest.mark.parametrize(
    ("text", "value"),
    [("一", 1), ("九", 9), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23),
     ("一百零五", 105), ("两千", 2000)],
)  # fmt: skip
def test_chinese_number_reads_numerals(text, value):
    """Chinese numerals up to thousands read as their value."""
    assert chinese_number(text) == value


def test_natural_key_orders_grids_and_buildings_by_number():
    """第一 … 第九, 第十, 第十一 (code points put 第九 before 第二), and
    2号楼 before 10号楼; names without numbers keep their text order."""
    grids = [f"第{n}网格" for n in "一二三四五六七八九"] + ["第十网格", "第十一网格"]
    assert sorted(grids, key=natural_key) == grids
    assert sorted(grids) != grids
    buildings = ["1号楼", "2号楼", "10号楼", "第3网格", "第12网格"]
    assert sorted(buildings, key=natural_key) == buildings
    assert sorted(["湖西新苑", "东关老宿舍"], key=natural_key) == sorted(
        ["湖西新苑", "东关老宿舍"]
    )
