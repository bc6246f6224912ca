"""Download a django-import-export admin export as a user would, and read
every cell back (CSV and Excel)."""

import csv
import io

import openpyxl
from django import forms


def admin_export(client, url: str, fmt: str):
    """POST the admin's export form for ``fmt`` ("csv" or "xlsx") with every
    field ticked; return the response."""
    form = client.get(url).context["form"]
    data = {
        name: "on"
        for name, field in form.fields.items()
        if isinstance(field, forms.BooleanField)
    }
    [data["format"]] = [
        value
        for value, label in form.fields["format"].choices
        if str(label).lower() == fmt
    ]
    if "resource" in form.fields:
        data["resource"] = form.fields["resource"].choices[0][0]
    return client.post(url, data)


def cells(response, fmt: str) -> list[list]:
    """Return the rows of a CSV or Excel download, header first."""
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]
