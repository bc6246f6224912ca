"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over the reports.

A service is a report category (``service_code`` = ``Category.code``), a service
request is a case (``service_request_id`` = ``Petition.number``) and a
jurisdiction is a community (``jurisdiction_id`` = its 12-digit division code).
Reading is public, as the spec wants, so nothing that identifies a resident ever
leaves through here: no name, phone, room or tracking token, free text is
scrubbed of personal numbers, coordinates are coarsened to a cell wider than a
compound, a photo is shown only when staff marked it public, and cases of
private categories (complaints about property service, disputes, any category
flagged private, for all or for one community) are not published at all: they
answer 404 like cases that do not exist. Filing needs the key of an active
``Open311Client`` (header ``X-API-Key``, or the spec's ``api_key`` parameter),
in a community the client is bound to, within its rate limit, and goes through
``petition_submit``.

Every answer, errors included, comes in the format the path asks for (``.json``
by default, or ``.xml``); bad input is a spec error (400/403/404), never a 500.
"""

import datetime
import decimal
import functools
import logging
import re

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation, ValidationError
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.ratelimit import ratelimit_hit
from core.scrub import scrub
from grids.models import Building, Community
from petitions.models import Category, CategoryQuestion, Petition
from petitions.selectors import (
    category_list,
    community_by_division_code,
    petition_public_list,
)
from petitions.services import petition_submit

from .renderers import FORMATS, render, render_errors
from .services import open311_client_for_key, open311_client_may_file_in

security_logger = logging.getLogger("django.security.open311")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_RESULTS = 1000
DEFAULT_DAYS = 90

_JURISDICTION_RE = re.compile(r"^\d{12}$")
_SERVICE_CODE_RE = re.compile(r"^[-\w]{1,40}$", re.ASCII)
_REQUEST_ID_RE = re.compile(r"^[0-9A-Za-z-]{1,20}$")
_TOKEN_RE = re.compile(r"^[-\w]{1,32}$", re.ASCII)
_BUILDING_ID_RE = re.compile(r"^\d{1,18}$")
_ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_CJK_RE = re.compile("[\u3400-\u9fff]")
# A "+08:00" offset sent unencoded in a query string arrives as " 08:00".
_OFFSET_AS_SPACE_RE = re.compile(
    r"^(.+T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$"
)

DATATYPES = {
    CategoryQuestion.Kind.TEXT: "text",
    CategoryQuestion.Kind.NUMBER: "number",
    CategoryQuestion.Kind.DATE: "datetime",
    CategoryQuestion.Kind.SINGLE: "singlevaluelist",
    CategoryQuestion.Kind.MULTIPLE: "multivaluelist",
}


class Open311Error(Exception):
    """A request the spec answers with an error list and HTTP ``status``."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- reads ------------------------------------------------------------------
# GeoReport reads are public and unscoped: petition_public_list (selectors)
# returns only what may be published; these two turn misses into spec errors.


def open311_jurisdiction(raw: str) -> Community | None:
    """Return the community whose division code is ``raw``; None when not given."""
    if not raw:
        return None
    community = None
    if _JURISDICTION_RE.match(raw):
        community = community_by_division_code(raw)
    if community is None:
        raise Open311Error(
            404, _("jurisdiction_id %(id)s was not found.") % {"id": raw[:20]}
        )
    return community


def open311_category(code: str) -> Category:
    """Return the active category ``code`` with its questions, or a 404 error."""
    category = None
    if _SERVICE_CODE_RE.match(code):
        category = category_list().filter(code=code).first()
    if category is None:
        raise Open311Error(
            404, _("service_code %(code)s was not found.") % {"code": code[:40]}
        )
    return category


# --- plumbing ---------------------------------------------------------------


def _param(request: HttpRequest, name: str) -> str:
    """Return a parameter from the form body, else from the query string."""
    value = request.POST.get(name)
    if value is None:
        value = request.GET.get(name, "")
    return value.strip()


def _refuse_nul(request: HttpRequest, kwargs: dict) -> None:
    # PostgreSQL refuses NUL in text; refuse it here so that no query ever sees it.
    values = [*kwargs.values()]
    for query in (request.GET, request.POST):
        for key, items in query.lists():
            values.append(key)
            values.extend(items)
    if any("\x00" in str(v) for v in values if v):
        raise Open311Error(400, _("The text contains a NUL character."))


def open311_endpoint(*methods: str):
    """Wrap a view taking ``(request, fmt, **kwargs)`` with the spec's plumbing:
    format from the path, allowed methods, and every refusal as a spec error.

    The views are CSRF-exempt: nothing here reads the session cookie (filing
    is authorised by ``api_key`` alone), and a refused token would otherwise
    answer Django's HTML page instead of a spec error.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, fmt=None, **kwargs):
            fmt = "json" if fmt is None else fmt.lower()
            if fmt not in FORMATS:
                return render_errors(
                    404,
                    _("Unknown format %(format)s: use json or xml.")
                    % {"format": fmt[:10]},
                )
            if request.method not in methods:
                response = render_errors(
                    405,
                    _("Method %(method)s is not allowed here.")
                    % {"method": request.method},
                    fmt,
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                _refuse_nul(request, kwargs)
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return render_errors(exc.status, exc.description, fmt)
            except (MultiPartParserError, BadRequest, SuspiciousOperation) as exc:
                security_logger.warning("Open311 request refused: %r", exc)
                return render_errors(400, _("The request is not valid."), fmt)

        return csrf_exempt(wrapper)

    return decorate


def _w3c(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _parse_moment(name: str, raw: str) -> datetime.datetime | None:
    """Return the W3C datetime ``raw`` (a date alone means its midnight here)."""
    if not raw:
        return None
    value = _OFFSET_AS_SPACE_RE.sub(r"\1+\2", raw)
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except (ValueError, OverflowError):
        moment = None
    # Years outside this range are typing errors, and near year 1 or 9999 the
    # 90-day default window would overflow.
    if moment is None or not 1970 <= moment.year <= 9000:
        raise Open311Error(
            400,
            _("%(field)s is not a valid date and time, e.g. 2024-05-01T08:00:00+08:00.")
            % {"field": name},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _comma_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


# --- output -----------------------------------------------------------------


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.questions.all()),
        "type": "realtime",
        "keywords": "",
        "group": str(category.get_group_display()),
    }


def _attribute(question: CategoryQuestion, order: int) -> dict:
    choices = question.choice_list
    return {
        "variable": True,
        "code": question.code,
        "datatype": DATATYPES.get(question.kind, "string"),
        "required": question.is_required,
        "datatype_description": (
            _("A date, e.g. 2024-05-01.")
            if question.kind == CategoryQuestion.Kind.DATE
            else ""
        ),
        "order": order,
        "description": question.label,
        "values": [{"key": choice, "name": choice} for choice in choices],
    }


def _status_notes(petition: Petition) -> str:
    if petition.status == Petition.Status.MERGED and petition.merged_into_id:
        return _("Merged into case %(number)s, which handles the same problem.") % {
            "number": petition.merged_into.number
        }
    return str(petition.get_status_display())


#: Published coordinates are the centre of a cell this many degrees wide
#: (about 1.1 km north-south, 0.9 km east-west here): wider than a compound,
#: so a case never points at a building, let alone a door. Compounds carry no
#: coordinates of their own yet; the cell stands for the compound's place.
COARSE_DEGREES = decimal.Decimal("0.01")


def _coarse(value: decimal.Decimal | None) -> float | None:
    """Return ``value`` moved to the centre of its ``COARSE_DEGREES`` cell."""
    if value is None:
        return None
    cell = (value / COARSE_DEGREES).to_integral_value(rounding=decimal.ROUND_FLOOR)
    return float(cell * COARSE_DEGREES + COARSE_DEGREES / 2)


def _service_request(request: HttpRequest, petition: Petition) -> dict:
    """Return the public view of a case: never the reporter, room or token."""
    is_open = petition.status in Petition.OPEN_STATUSES
    updated_at = petition.updated_at
    if not is_open:
        updated_at = petition.closed_at or petition.resolved_at or updated_at
    address = " ".join(
        part
        for part in (
            petition.compound.name if petition.compound_id else "",
            petition.building.number if petition.building_id else "",
        )
        if part
    )
    photos = petition.report_photos  # prefetched by open311_petition_list
    return {
        "service_request_id": petition.number,
        "status": "open" if is_open else "closed",
        "status_notes": _status_notes(petition),
        "service_name": petition.category.name,
        "service_code": petition.category.code,
        # Public output: numbers a resident typed into the text are masked.
        "description": scrub(petition.description),
        "agency_responsible": petition.community.name,
        "service_notice": "",
        "requested_datetime": _w3c(petition.created_at),
        "updated_datetime": _w3c(updated_at),
        "expected_datetime": _w3c(petition.resolve_due_at),
        "address": address,
        "address_id": petition.building_id or "",
        "zipcode": "",
        "lat": _coarse(petition.latitude),
        "long": _coarse(petition.longitude),
        # Only a photo staff marked public (it may show faces, doors, plates).
        "media_url": (
            request.build_absolute_uri(photos[0].image.url) if photos else ""
        ),
    }


# --- views ------------------------------------------------------------------


@open311_endpoint("GET", "HEAD")
def discovery_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """Describe this endpoint (Open311 Service Discovery)."""
    changed = Category.objects.aggregate(at=Max("updated_at"))["at"]
    changeset = _w3c(changed) or ""
    help_text = _("Ask the community office for help and for an API key.")
    data = {
        "changeset": changeset,
        "contact": help_text,
        "key_service": help_text,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
                "changeset": changeset,
                "type": "test" if settings.DEBUG else "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, "discovery")


@open311_endpoint("GET", "HEAD")
def service_list_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """List the report categories residents can file in."""
    open311_jurisdiction(_param(request, "jurisdiction_id"))
    services = [_service(category) for category in category_list()]
    return render(services, fmt, "services")


@open311_endpoint("GET", "HEAD")
def service_definition_view(
    request: HttpRequest, fmt: str, service_code: str
) -> HttpResponse:
    """Describe a category's extra questions as attributes."""
    open311_jurisdiction(_param(request, "jurisdiction_id"))
    category = open311_category(service_code)
    attributes = [
        _attribute(question, order)
        for order, question in enumerate(category.questions.all(), start=1)
    ]
    return render(
        {"service_code": category.code, "attributes": attributes},
        fmt,
        "service_definition",
    )


@open311_endpoint("GET", "HEAD", "POST")
def request_list_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: query cases; POST: file a new case for an Open311 client."""
    if request.method == "POST":
        return _request_create(request, fmt)
    community = open311_jurisdiction(_param(request, "jurisdiction_id"))
    petitions = petition_public_list(community=community)
    ids = _comma_list(_param(request, "service_request_id"))
    if ids:
        # The spec: service_request_id overrides every other argument.
        if len(ids) > MAX_RESULTS or not all(_REQUEST_ID_RE.match(i) for i in ids):
            raise Open311Error(400, _("service_request_id is not valid."))
        petitions = petitions.filter(number__in=ids)
    else:
        petitions = _filter_requests(request, petitions)
    data = [_service_request(request, p) for p in petitions[:MAX_RESULTS]]
    return render(data, fmt, "service_requests")


def _filter_requests(request: HttpRequest, petitions: QuerySet) -> QuerySet:
    codes = _comma_list(_param(request, "service_code"))
    if codes:
        petitions = petitions.filter(category__code__in=codes)
    statuses = set(_comma_list(_param(request, "status").lower()))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status may only be open or closed."))
    if statuses == {"open"}:
        petitions = petitions.filter(status__in=Petition.OPEN_STATUSES)
    elif statuses == {"closed"}:
        petitions = petitions.exclude(status__in=Petition.OPEN_STATUSES)
    start = _parse_moment("start_date", _param(request, "start_date"))
    end = _parse_moment("end_date", _param(request, "end_date"))
    if start is None:
        start = (end or timezone.now()) - datetime.timedelta(days=DEFAULT_DAYS)
    if end is not None and start > end:
        raise Open311Error(400, _("start_date is after end_date."))
    petitions = petitions.filter(created_at__gte=start)
    if end is not None:
        petitions = petitions.filter(created_at__lte=end)
    return petitions


@open311_endpoint("GET", "HEAD")
def request_detail_view(
    request: HttpRequest, fmt: str, service_request_id: str
) -> HttpResponse:
    """Show one case, in a list of one as the spec has it."""
    community = open311_jurisdiction(_param(request, "jurisdiction_id"))
    petition = None
    if _REQUEST_ID_RE.match(service_request_id):
        petition = (
            petition_public_list(community=community)
            .filter(number=service_request_id)
            .first()
        )
    if petition is None:
        raise Open311Error(
            404,
            _("Service request %(id)s was not found.")
            % {"id": service_request_id[:20]},
        )
    return render([_service_request(request, petition)], fmt, "service_requests")


@open311_endpoint("GET", "HEAD")
def token_view(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Turn the token a POST answered into the case's service_request_id."""
    community = open311_jurisdiction(_param(request, "jurisdiction_id"))
    number = None
    if _TOKEN_RE.match(token):
        # Only tokens this endpoint handed out resolve here.
        petitions = Petition.objects.filter(
            open311_token=token, channel=Petition.Channel.OPEN311
        )
        if community is not None:
            petitions = petitions.filter(community=community)
        number = petitions.values_list("number", flat=True).first()
    if number is None:
        raise Open311Error(404, _("This token was not found."))
    return render(
        [{"service_request_id": number, "token": token}], fmt, "service_requests"
    )


@open311_endpoint("GET", "HEAD", "POST")
def not_found_view(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
    """Answer any other address below the endpoint with a spec 404."""
    raise Open311Error(404, _("There is no such resource."))


# --- filing -------------------------------------------------------------------


def _attributes(request: HttpRequest, category: Category) -> dict:
    """Collect ``attribute[code]=v`` and ``attribute[code][]=v`` into answers."""
    answers: dict = {}
    for query in (request.GET, request.POST):
        for key, values in query.lists():
            match = _ATTRIBUTE_RE.match(key)
            if not match:
                continue
            code, many = match.group(1), bool(match.group(2))
            if many or len(values) > 1 or code in answers:
                previous = answers.get(code, [])
                previous = previous if isinstance(previous, list) else [previous]
                answers[code] = previous + values
            else:
                answers[code] = values[0]
    for question in category.questions.all():
        value = answers.get(question.code)
        if question.kind == CategoryQuestion.Kind.DATE and isinstance(value, str):
            # The spec's datetime attribute may come as a full W3C datetime;
            # the question asks for a day.
            try:
                moment = parse_datetime(value) if not parse_date(value) else None
            except ValueError:
                moment = None
            if moment is not None:
                try:
                    if timezone.is_aware(moment):
                        moment = timezone.localtime(moment)
                except OverflowError:
                    # Out of the calendar once moved to local time: let the
                    # service refuse it as a bad answer.
                    answers[question.code] = value
                    continue
                answers[question.code] = moment.date().isoformat()
    return answers


def _coordinate(raw: str, limit: int) -> decimal.Decimal | None:
    try:
        value = decimal.Decimal(raw)
    except decimal.InvalidOperation:
        return None
    if not value.is_finite() or abs(value) > limit:
        return None
    return value.quantize(decimal.Decimal("0.000001"))


def _reporter_name(first: str, last: str) -> str:
    # Chinese names put the family name first and take no space.
    if _CJK_RE.search(first + last):
        return f"{last}{first}"[:50]
    return " ".join(part for part in (first, last) if part)[:50]


def _location(request: HttpRequest, community: Community | None) -> dict:
    """Return the building, community, place and coordinates of a new case."""
    location: dict = {"building": None, "community": community}
    raw_lat, raw_long = _param(request, "lat"), _param(request, "long")
    if raw_lat or raw_long:
        latitude, longitude = _coordinate(raw_lat, 90), _coordinate(raw_long, 180)
        if latitude is None or longitude is None:
            raise Open311Error(
                400, _("lat and long must both be given as WGS84 degrees.")
            )
        location.update(latitude=latitude, longitude=longitude)
    location["place_detail"] = _param(request, "address_string")[:100]
    address_id = _param(request, "address_id")
    if address_id:
        building = None
        if _BUILDING_ID_RE.match(address_id):
            building = (
                Building.objects.select_related("compound__community", "grid")
                .filter(pk=int(address_id))
                .first()
            )
        if building is None:
            raise Open311Error(
                400,
                _("address_id %(id)s is not a known building.")
                % {"id": address_id[:20]},
            )
        if community is not None and building.compound.community_id != community.pk:
            raise Open311Error(
                400,
                _("address_id %(id)s is not in this jurisdiction.")
                % {"id": address_id},
            )
        location["building"] = building
        location["community"] = None
    elif community is None or not ("latitude" in location or location["place_detail"]):
        raise Open311Error(
            400,
            _(
                "Give address_id, or jurisdiction_id with lat and long or "
                "address_string."
            ),
        )
    return location


def _api_key(request: HttpRequest) -> str:
    """Return the key from the ``X-API-Key`` header, else the spec's ``api_key``
    parameter (a header stays out of access logs and proxies' caches)."""
    return request.headers.get("X-API-Key", "").strip() or _param(request, "api_key")


def _too_many(request: HttpRequest, client, fmt: str) -> HttpResponse | None:
    """Every attempt counts against the address (keys cannot be guessed by
    brute force); a known key also counts against its own limit. Return the
    429 answer when a limit is reached."""
    refused = ratelimit_hit(
        request, "open311", phone="", key=client.key_hash if client else None
    )
    if refused is None:
        return None
    response = render_errors(
        429,
        _("Too many requests with this key. Try again in %(seconds)s seconds.")
        % {"seconds": refused.retry_after},
        fmt,
    )
    response["Retry-After"] = str(refused.retry_after)
    return response


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    """File a case for the Open311 client whose key the request carries."""
    client = open311_client_for_key(_api_key(request))
    refused = _too_many(request, client, fmt)
    if refused is not None:
        return refused
    if client is None:
        raise Open311Error(403, _("The api_key is missing or not valid."))
    community = open311_jurisdiction(_param(request, "jurisdiction_id"))
    service_code = _param(request, "service_code")
    if not service_code:
        raise Open311Error(400, _("service_code is required."))
    category = open311_category(service_code)
    location = _location(request, community)
    filed_in = location["community"] or location["building"].compound.community
    if not open311_client_may_file_in(client, filed_in):
        raise Open311Error(
            403, _("This api_key may not file requests in this jurisdiction.")
        )
    phone = _param(request, "phone")
    try:
        petition, _created = petition_submit(
            category=category,
            description=_param(request, "description"),
            reporter_name=_reporter_name(
                _param(request, "first_name"), _param(request, "last_name")
            ),
            reporter_phone=phone,
            is_anonymous=not phone and category.allows_anonymous,
            answers=_attributes(request, category),
            channel=Petition.Channel.OPEN311,
            open311_client=client,
            **location,
        )
    except ValidationError as exc:
        messages = (
            [m for field in exc.message_dict.values() for m in field]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        raise Open311Error(400, "; ".join(str(m) for m in messages)) from exc
    # The token is the case's tracking token: only the filing client sees it,
    # and tokens/ turns it into nothing more than the service_request_id.
    data = [
        {
            "service_request_id": petition.number,
            "token": petition.open311_token,
            "service_notice": "",
            "account_id": None,
        }
    ]
    return render(data, fmt, "service_requests")
