"""The one shape of history (issue 12): every append-only event row says when (`at`), who
(`actor`) and, in free text, why or what was said (`note`). Each app's event model adds what it
records (the status it moved from and to, the place, the result) on top of this base."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HistoryEvent(models.Model):
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
