"""Pages of the case workbench: 待办 and one case with its next step."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from grids import selectors as grid_selectors
from grids.access import staff_page
from grids.personal_data import personal_data_record
from grids.scoping import user_scope

from .. import selectors, services
from ..forms import WorkbenchStepForm
from ..models import Petition, ReplyTemplate
from ..workflow import event_label

#: The work list shows this many cases, the most urgent first.
WORK_LIST_LENGTH = 50


def due_text(due) -> str:
    """ "3 小时后到期" or "已超期 2 小时": the deadline that matters now."""
    if due is None:
        return ""
    now = timezone.now()
    if due < now:
        return _("overdue by %(time)s") % {"time": timesince(due, now, depth=1)}
    return _("%(time)s left") % {"time": timeuntil(due, now, depth=1)}


@staff_page
def home(request):
    """待办: new reports of my grid and cases given to me, the nearest
    deadline first (overdue ones top the list), and my field work today."""
    user = request.user
    cases = list(selectors.petition_work_list(user=user)[:WORK_LIST_LENGTH])
    for petition in cases:
        petition.due_text = due_text(petition.due_at)
    context = {
        "tab": "work",
        "cases": cases,
        "overdue": sum(1 for petition in cases if petition.is_overdue),
        "patrol": grid_selectors.patrol_ongoing(user=user)
        if user.has_perm("grids.add_patrol")
        else None,
        "visits_due": sum(
            1 for row in grid_selectors.care_due_list(user=user) if row.is_due
        )
        if user.has_perm("grids.view_visit")
        else None,
    }
    return render(request, "petitions/workbench/home.html", context)


def _step_form(request, petition, data=None, files=None):
    person_id = user_scope(request.user).person_id
    handlers = selectors.petition_handler_candidates(petition=petition)
    return WorkbenchStepForm(
        data,
        files,
        petition=petition,
        handlers=handlers,
        step=request.GET.get("step"),
        me=handlers.filter(pk=person_id).first() if person_id else None,
    )


def _apply(request, petition, form) -> bool:
    """Take the form's step; say what happened."""
    try:
        services.petition_transition(
            petition=petition,
            action=form.cleaned_data["action"],
            actor=request.user,
            expected_version=form.cleaned_data["expected_version"],
            **form.transition_inputs(request.user),
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return False
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return False
    messages.success(
        request,
        _("Done: %(step)s, case %(number)s.")
        % {"step": form.step.label, "number": petition.number},
    )
    return True


@staff_page
def case(request, pk: int):
    """One case: what, where, who reported it (masked unless the user handles
    it), the steps open now as big buttons, the chosen step's fields with
    one-tap reply templates, photos from the camera, and the timeline."""
    user = request.user
    petition = selectors.petition_detail(user=user, pk=pk)
    can_act = selectors.petition_can_act(user=user, petition=petition)
    form = None
    status = 200
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied
        form = _step_form(request, petition, request.POST, request.FILES)
        if form.is_valid() and _apply(request, petition, form):
            return redirect("workbench:case", pk=petition.pk)
        status = 400
    elif can_act:
        form = _step_form(request, petition)
    if form is not None and not form.steps:
        form = None  # nothing for staff to do now (the resident's turn, or done)
    contact = selectors.petition_contact_visible(user=user, petition=petition)
    timeline = [
        {
            "event": event,
            "label": event_label(event.action),
            "to": event.to_status_label
            if event.to_status and event.to_status != event.from_status
            else "",
        }
        for event in petition.events.all()
    ]
    context = {
        "tab": "work",
        "petition": petition,
        "due_text": due_text(petition.due_at),
        "form": form,
        "choices": form.choices(request.path) if form is not None else [],
        "templates": ReplyTemplate.objects.all() if form is not None else [],
        "contact_visible": contact,
        "timeline": timeline,
        "is_awaiting": petition.status == Petition.Status.AWAITING_RESIDENT,
    }
    return render(request, "petitions/workbench/case.html", context, status=status)


@staff_page
def voice_note(request, petition_id: int, pk: int):
    """Play a resident's voice note: only to staff who may see the case (404
    otherwise), from the private storage, never cached by a shared cache;
    each play is recorded as a view of personal data (once: the player's
    later byte ranges are not new plays)."""
    note = selectors.petition_voice_note(
        user=request.user, petition_id=petition_id, pk=pk
    )
    range_header = request.headers.get("Range", "")
    if not range_header or range_header.startswith("bytes=0-"):
        personal_data_record(
            request=request,
            action="view",
            subject="petitions.petitionvoicenote",
            obj=note.petition,
            fields=("voice_note",),
        )
    response = _audio_response(note, range_header)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["Accept-Ranges"] = "bytes"
    return response


_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _audio_response(note, range_header: str):
    """The clip, or the one byte range asked for (Safari plays audio only
    from servers that answer ranges)."""
    match = _RANGE_RE.match(range_header.strip())
    size = note.audio.size
    if not match or match.groups() == ("", ""):
        return FileResponse(note.audio.open("rb"), content_type=note.content_type)
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start > end or start >= size:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    with note.audio.open("rb") as clip:
        clip.seek(start)
        body = clip.read(end - start + 1)
    response = HttpResponse(body, status=206, content_type=note.content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
