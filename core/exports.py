"""Spreadsheet cells that are data, never formulas.

Names and notes come from residents (a 双报到 registration, a wish) and from
staff; a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel and WPS (``=HYPERLINK(…)``), and control
characters make Excel refuse the file. ``neutralise_cell`` is applied to every
text cell of every download: the statistics API's CSV/Excel renderers and, via
``EXPORT_FORMATS`` in settings, every django-import-export download in the
admin.
"""

import re

from import_export.formats import base_formats
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A plain number (-5, +3.2) is a number, not a formula: leave it as it is.
_PLAIN_NUMBER_RE = re.compile(r"^[-+]?\d+(\.\d+)?$")


def neutralise_cell(value):
    """Return ``value`` safe as a spreadsheet cell: text that a spreadsheet
    would run as a formula gets a leading apostrophe (Excel's "this is text"),
    control characters are removed. Other values are returned unchanged."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER_RE.match(value):
        return "'" + value
    return value


def neutralise_dataset(dataset):
    """Neutralise every cell of a tablib ``dataset`` in place and return it."""
    rows = [[neutralise_cell(cell) for cell in row] for row in dataset]
    del dataset[:]
    for row in rows:
        dataset.append(row)
    return dataset


class _Neutralising:
    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralise_dataset(dataset), **kwargs)


class CSV(_Neutralising, base_formats.CSV):
    pass


class XLSX(_Neutralising, base_formats.XLSX):
    pass


class TSV(_Neutralising, base_formats.TSV):
    pass


#: The download formats offered in the admin (settings.EXPORT_FORMATS): the
#: spreadsheet formats communities use, each neutralised. (XLS, ODS, JSON,
#: YAML and HTML, offered by django-import-export by default, are not.)
EXPORT_FORMATS = [CSV, XLSX, TSV]
