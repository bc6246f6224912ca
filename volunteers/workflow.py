"""The lifecycles of volunteer service (``core.lifecycle``): micro-wishes,
sign-ups with their hours, and 双报到 registrations."""

from django.utils.translation import gettext_lazy as _

from core.lifecycle import RESIDENT, STAFF, SYSTEM, VOLUNTEER, Lifecycle, Step

from .models import (
    Registration,
    RegistrationEvent,
    SignUp,
    SignUpEvent,
    Wish,
    WishEvent,
)

W = Wish.Status

WISH_STEPS = [
    Step("publish", _("publish"), (W.SUBMITTED,), W.PUBLISHED, takes=("note",)),
    Step("reject", _("do not publish"), (W.SUBMITTED,), W.REJECTED, takes=("note",)),
    Step("claim", _("claim"), (W.PUBLISHED,), W.CLAIMED, who=VOLUNTEER),
    Step(
        "fulfil",
        _("report it fulfilled"),
        (W.CLAIMED,),
        W.FULFILLED,
        who=VOLUNTEER,
        takes=("note", "photo"),
    ),
    Step(
        "confirm",
        _("confirm it came true"),
        (W.FULFILLED,),
        W.CONFIRMED,
        who=RESIDENT,
        needs=("rating",),
    ),
    # Staff confirm for a wisher without a phone of their own.
    Step(
        "confirm_for",
        _("confirm for the wisher"),
        (W.FULFILLED,),
        W.CONFIRMED,
        needs=("rating",),
    ),
]

WISH = Lifecycle(
    model=Wish,
    steps=WISH_STEPS,
    event_model=WishEvent,
    event_owner="wish",
    # The wisher hears of the claim and the fulfilment (volunteers/tasks.py).
    notify_task="volunteers.notify_wish",
    noun=_("wish"),
    messages={"rating": _("Choose how satisfied you are.")},
)

S = SignUp.Status

SIGNUP_STEPS = [
    Step(
        "cancel",
        _("cancel the sign-up"),
        (S.CONFIRMED, S.WAITING),
        S.CANCELLED,
        who=VOLUNTEER,
    ),
    Step(
        "move_up",
        _("move up from the waiting list"),
        (S.WAITING,),
        S.CONFIRMED,
        who=SYSTEM,
    ),
    # Back in: a place if one is free and nobody waits, else the waiting list.
    Step("sign_up_again", _("sign up again"), (S.CANCELLED,), None, who=VOLUNTEER),
    Step("check_in", _("check in"), (S.CONFIRMED,), S.CONFIRMED, who=VOLUNTEER),
    Step("check_out", _("check out"), (S.CONFIRMED,), S.CONFIRMED, who=VOLUNTEER),
    Step("verify", _("verify the hours"), (S.CONFIRMED,), S.CONFIRMED),
]


def _placed(signup: SignUp, step: Step) -> str:
    """Where a returning volunteer lands, as the service placed them."""
    return signup.placed


SIGNUP = Lifecycle(
    model=SignUp,
    steps=SIGNUP_STEPS,
    event_model=SignUpEvent,
    event_owner="signup",
    route=_placed,
    noun=_("sign-up"),
)

R = Registration.Status

REGISTRATION_STEPS = [
    Step(
        "confirm",
        _("confirm the registration"),
        (R.PENDING,),
        R.CONFIRMED,
        takes=("grid", "team", "target_hours"),
    ),
    Step(
        "reject",
        _("reject the registration"),
        (R.PENDING,),
        R.REJECTED,
        needs=("note",),
    ),
]

REGISTRATION = Lifecycle(
    model=Registration,
    steps=REGISTRATION_STEPS,
    event_model=RegistrationEvent,
    event_owner="registration",
    noun=_("registration"),
    messages={"note": _("Say why the registration is rejected.")},
)

__all__ = ["REGISTRATION", "SIGNUP", "STAFF", "WISH"]
