from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _before_migrate(sender: AppConfig, using: str, **kwargs: Any) -> None:
    from stemhub.audit.triggers import drop_sqlite_audit_triggers

    drop_sqlite_audit_triggers(using)


def _after_migrate(sender: AppConfig, using: str, **kwargs: Any) -> None:
    from stemhub.audit.triggers import install_audit_triggers

    install_audit_triggers(using)


class AuditConfig(AppConfig):
    name = "stemhub.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        # Sent once per app after the whole migrate; listening for this app's signal alone
        # installs the triggers once, when every table exists.
        pre_migrate.connect(_before_migrate, sender=self, dispatch_uid="audit-drop-triggers")
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="audit-install-triggers")
