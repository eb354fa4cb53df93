"""A background task as the people who started it see it: what it is, where it stands, how far it
got, and what came of it. The queue itself is django-tasks-db's table (`task_result_id` names the
row); the progress while a task runs lives in the cache (`jobs.progress`), the row gets it when
no transaction is open and at the end."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stemhub.accounts.models import Institution


class Kind(models.TextChoices):
    CORD_UPLOAD = "cord_upload", _("cord unit upload")
    LINE_IMPORT = "line_import", _("cell line import")
    INVENTORY_IMPORT = "inventory_import", _("inventory import")
    CATALOGUE_REBUILD = "catalogue_rebuild", _("catalogue rebuild")
    SEARCH_INDEX_REBUILD = "search_index_rebuild", _("search index rebuild")
    IMPUTATION = "imputation", _("imputation")
    EXPORT = "export", _("export")
    CERTIFICATE_BATCH = "certificate_batch", _("certificate batch")
    EMAIL = "email", _("e-mail")


class State(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("task state", "queued")
    RUNNING = "running", pgettext_lazy("task state", "running")
    SUCCEEDED = "succeeded", pgettext_lazy("task state", "succeeded")
    FAILED = "failed", pgettext_lazy("task state", "failed")
    CANCELLED = "cancelled", pgettext_lazy("task state", "cancelled")


FINISHED = (State.SUCCEEDED, State.FAILED, State.CANCELLED)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("institution"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    # The language of the person who started it: the report's messages are written in it.
    language = models.CharField(max_length=8, blank=True, default="")
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(_("stage"), max_length=32, blank=True, default="")
    done = models.BigIntegerField(_("done"), default=0)
    total = models.BigIntegerField(_("total"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=3)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    worker_id = models.CharField(_("worker"), max_length=64, blank=True, default="")
    # What the task works on: an upload keeps its bytes here, so a retry reads them again.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    input_name = models.CharField(_("input file"), max_length=255, blank=True, default="")
    input_bytes = models.BinaryField(null=True, blank=True)
    report = models.JSONField(_("report"), null=True, blank=True)
    # In the reader's words, never a traceback (that goes to the worker's log).
    error = models.TextField(_("error"), blank=True, default="")
    # What happened to the task besides its work: re-queued after a worker stopped, cancelled.
    notes = models.JSONField(_("notes"), default=list, blank=True)
    output_name = models.CharField(_("output file"), max_length=255, blank=True, default="")
    output_type = models.CharField(max_length=100, blank=True, default="")
    output_bytes = models.BinaryField(null=True, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["state"], name="jobs_job_state"),
            models.Index(fields=["created_by", "-created_at"], name="jobs_job_by_creator"),
            models.Index(fields=["institution", "-created_at"], name="jobs_job_by_institution"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[value for value, _label in State.choices]),
                name="jobs_job_state_known",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[value for value, _label in Kind.choices]),
                name="jobs_job_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(done__gte=0) & Q(total__gte=0), name="jobs_job_counts_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1) & Q(attempts__lte=models.F("max_attempts")),
                name="jobs_job_attempts_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(state__in=FINISHED),
                name="jobs_job_finished_when_ended",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.state in FINISHED
