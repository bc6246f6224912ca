"""CSV and Excel downloads of every statistics table: add ``?format=csv`` or
``?format=xlsx`` to any statistics endpoint. Each view says how its answer
reads as a table (``view.table(data)``)."""

import json

import tablib
from rest_framework import renderers

from core.exports import neutralise_cell


class _TableRenderer(renderers.BaseRenderer):
    tablib_format = ""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response, view = context.get("response"), context.get("view")
        if response is not None and response.status_code >= 400:
            rows = [{"error": json.dumps(data, ensure_ascii=False)}]
        else:
            rows = view.table(data)
            if response is not None:
                response["Content-Disposition"] = (
                    f'attachment; filename="{view.export_name(data)}.{self.format}"'
                )
        headers = list(rows[0]) if rows else ["—"]
        dataset = tablib.Dataset(headers=headers)
        for row in rows:
            dataset.append([_cell(row.get(h)) for h in headers])
        exported = dataset.export(self.tablib_format)
        return exported.encode("utf-8-sig") if isinstance(exported, str) else exported


def _cell(value):
    """A value as a spreadsheet cell: no control characters (Excel refuses
    them) and no text a spreadsheet would run as a formula (names are entered
    by staff: "=HYPERLINK(…)" stays text)."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    return neutralise_cell(value)


class CSVRenderer(_TableRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    tablib_format = "csv"


class XLSXRenderer(_TableRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"
    tablib_format = "xlsx"
