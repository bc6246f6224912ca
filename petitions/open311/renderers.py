"""GeoReport v2 output: the same data as JSON or as schemaless XML.

The spec maps XML to JSON by the Spark convention: a JSON list is an XML element
holding one child per item, named by the singular of the list's name, and an empty
element is ``null``.
"""

import re
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse, JsonResponse

FORMATS = ("json", "xml")
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

#: The element name of one item of each list the spec defines.
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all, not even escaped; a resident's text may
# hold them (a pasted bell or form feed) and would otherwise break every parser.
_NOT_XML_CHAR = re.compile(
    "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _fill(element: Element, name: str, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(SubElement(element, key), key, item)
    elif isinstance(value, list | tuple):
        item_name = LIST_ITEMS[name]
        for item in value:
            _fill(SubElement(element, item_name), item_name, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML_CHAR.sub("", str(value))


def render_xml(data, root: str) -> bytes:
    """Return ``data`` as an XML document whose root element is ``root``."""
    element = Element(root)
    _fill(element, root, data)
    body = tostring(element, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}'.encode()


def render(data, fmt: str, root: str, *, status: int = 200) -> HttpResponse:
    """Answer ``data`` in format ``fmt`` (``json`` or ``xml``) with ``status``."""
    if fmt == "xml":
        return HttpResponse(
            render_xml(data, root), status=status, content_type=XML_CONTENT_TYPE
        )
    return JsonResponse(
        data,
        safe=False,
        status=status,
        content_type=JSON_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def render_errors(status: int, descriptions, fmt: str = "json") -> HttpResponse:
    """Answer the spec's error list: one ``{code, description}`` per description."""
    if isinstance(descriptions, str):
        descriptions = [descriptions]
    errors = [{"code": status, "description": str(d)} for d in descriptions]
    return render(errors, fmt if fmt in FORMATS else "json", "errors", status=status)
