"""Institutions, people, their roles and their API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stemhub.core.names import BilingualName


class InstitutionKind(models.TextChoices):
    STEM_CELL_BANK = "stem_cell_bank", _("Stem cell bank")
    CORD_BLOOD_BANK = "cord_blood_bank", _("Cord blood bank")
    TRANSPLANT_CENTRE = "transplant_centre", _("Transplant centre")
    RESEARCH_INSTITUTION = "research_institution", _("Research institution")
    REGISTRY = "registry", _("Registry")


INSTITUTION_KINDS = [k.value for k in InstitutionKind]


class Institution(BilingualName, models.Model):
    """An institution of the network, named in English (`name`: the name other registries and
    exchange formats carry) and in Chinese (`name_zh`); both are unique and searchable."""

    Kind = InstitutionKind

    name = models.CharField(
        _("English name"),
        max_length=200,
        unique=True,
        help_text=_("The name in English, as hPSCreg and other registries show it."),
    )
    name_zh = models.CharField(
        _("Chinese name"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("The name in Chinese, e.g. 国家干细胞资源库."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    provider_code = models.CharField(
        _("provider code"),
        max_length=5,
        unique=True,
        help_text=_("2-5 uppercase letters; the prefix of the standard names of its lines."),
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2")
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider_code__regex=r"^[A-Z]{2,5}$"),
                name="institution_provider_code_2_to_5_uppercase_letters",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=INSTITUTION_KINDS), name="institution_kind_known"
            ),
            models.UniqueConstraint(
                fields=["name_zh"],
                condition=~Q(name_zh=""),
                name="institution_chinese_name_unique",
                violation_error_message=_("Another institution already has this Chinese name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.provider_code})"

    @property
    def english_name(self) -> str:
        return self.name

    @property
    def chinese_name(self) -> str:
        return self.name_zh


class Role(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    CURATOR = "curator", _("Curator")
    BANK_TECHNICIAN = "bank_technician", _("Bank technician")
    QA_MANAGER = "qa_manager", _("QA manager")
    SEARCH_COORDINATOR = "search_coordinator", _("Search coordinator")
    INSTITUTION_ADMIN = "institution_admin", _("Institution admin")
    ACCESS_COMMITTEE = "access_committee", _("Access committee member")
    DOCUMENT_CONTROLLER = "document_controller", _("Document controller")
    TRAINER = "trainer", _("Trainer and assessor")
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")


class User(BilingualName, AbstractUser):
    """A person: first and last name (in Latin letters, e.g. pinyin) and a Chinese name written
    as one string, family name first (姓名, e.g. 张伟)."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("institution"),
    )
    # The interface language the person chose (one of settings.LANGUAGES); blank: the page's
    # switch, else the browser's. Kept by the switch on every page and on the profile page.
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
    )
    name_zh = models.CharField(
        pgettext_lazy("person", "Chinese name"),
        max_length=150,
        blank=True,
        default="",
        db_default="",
        help_text=_("The full name in Chinese, family name first, e.g. 张伟."),
    )

    @property
    def english_name(self) -> str:
        return self.get_full_name()

    @property
    def chinese_name(self) -> str:
        return self.name_zh

    @property
    def display_name(self) -> str:
        """The name in the interface language, else the other one, else the username."""
        return super().display_name or self.get_username()

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class RoleGrant(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="rolegrant_one_per_user_role"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="rolegrant_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role}"


class ApiToken(models.Model):
    """A revocable bearer token for scripts. Only a SHA-256 digest of the secret is stored."""

    PREFIX = "shub_"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    hint = models.CharField(
        _("starts with"),
        max_length=12,
        editable=False,
        help_text=_("First characters, to tell tokens apart"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def digest_of(cls, secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def active(self) -> bool:
        return self.revoked_at is None
