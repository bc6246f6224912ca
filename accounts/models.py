from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login account.

    Staff accounts are linked to their ``grids.Person`` (``user.person``); the
    roles of that person decide which organisation units the account may see.
    """

    class Meta(AbstractUser.Meta):
        verbose_name = _("user account")
        verbose_name_plural = _("user accounts")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens that are neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A key with which a program signs in to the API as a staff account
    (``Authorization: Token <key>``). Only a SHA-256 of the key is stored; the
    key is shown once, when it is made. Every token expires, can be revoked,
    and records when it was last used."""

    user = models.ForeignKey(
        User,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(
        _("key hash"), max_length=64, unique=True, editable=False
    )
    prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
