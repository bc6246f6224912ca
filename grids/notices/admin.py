"""Notices in the staff admin: write, attach photos, publish, withdraw."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.lifecycle import TransitionNotAllowed

from ..admin_base import RelatedChoicesFilter, ScopedModelAdmin
from .models import Notice, NoticeAttachment
from .selectors import notice_list
from .services import notice_attach, notice_create, notice_publish, notice_withdraw


class NoticeForm(forms.ModelForm):
    photo = forms.ImageField(
        label=gettext_lazy("Attach a photo"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG or WebP; cleaned of its metadata."),
    )

    class Meta:
        model = Notice
        fields = (
            "community",
            "compound",
            "building",
            "title",
            "body",
            "is_pinned",
            "publish_from",
            "publish_until",
        )


class NoticeAttachmentInline(admin.TabularInline):
    model = NoticeAttachment
    fields = ("image", "caption", "created_at")
    readonly_fields = ("image", "caption", "created_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ScopedModelAdmin):
    """Drafts are published by the action; a published notice shows from
    its start until its end (or until withdrawn)."""

    form = NoticeForm
    list_selector = staticmethod(notice_list)
    list_display = (
        "title",
        "community",
        "compound",
        "building",
        "is_pinned",
        "status",
        "publish_from",
        "publish_until",
    )
    list_filter = ("status", "is_pinned", ("community", RelatedChoicesFilter))
    search_fields = ("title",)
    inlines = [NoticeAttachmentInline]
    actions = ["publish", "withdraw"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        notice = notice_create(
            actor=request.user,
            **{
                name: form.cleaned_data[name]
                for name in NoticeForm.Meta.fields
                if name != "publish_from"
            },
            publish_from=form.cleaned_data["publish_from"],
        )
        obj.pk, obj.created_at = notice.pk, notice.created_at

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        upload = form.cleaned_data.get("photo")
        if upload:
            try:
                notice_attach(actor=request.user, notice=form.instance, upload=upload)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def _step(self, request, queryset, service, done: str):
        count = 0
        for notice in queryset:
            try:
                service(actor=request.user, notice=notice)
                count += 1
            except (TransitionNotAllowed, PermissionDenied) as exc:
                self.message_user(request, f"{notice}: {exc}", messages.WARNING)
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Publish the selected notices"))
    def publish(self, request, queryset):
        self._step(request, queryset, notice_publish, _("Published: %(count)s."))

    @admin.action(description=gettext_lazy("Withdraw the selected notices"))
    def withdraw(self, request, queryset):
        self._step(request, queryset, notice_withdraw, _("Withdrawn: %(count)s."))
