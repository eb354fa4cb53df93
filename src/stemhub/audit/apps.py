from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "stemhub.audit"
    label = "audit"
    verbose_name = "Audit trail"
