"""The Balai Warga user.

``role`` is the one source of truth for permissions: ``is_staff`` and
``is_superuser`` are read-only properties derived from it, so the two can
never disagree.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import PROVISIONED_ROLES, CitizenCategory, Kecamatan, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, username, email, password, **fields):
        if not username:
            raise ValueError("username is required")
        user = self.model(username=self.model.normalize_username(username),
                          email=self.normalize_email(email or ""), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, username, email=None, password=None, **fields):
        fields.setdefault("role", Role.CITIZEN)
        return self._create(username, email, password, **fields)

    def create_superuser(self, username, email=None, password=None, **fields):
        # Django's createsuperuser passes these; the role decides instead.
        fields.pop("is_staff", None)
        fields.pop("is_superuser", None)
        fields["role"] = Role.ADMIN
        return self._create(username, email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text=_("150 characters or fewer: letters, digits and @/./+/-/_ only."),
        error_messages={"unique": _("That username is already taken.")},
    )
    display_name = models.CharField(_("display name"), max_length=80)
    email = models.EmailField(_("e-mail address"), blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CITIZEN)
    category = models.CharField(
        _("citizen category"), max_length=16, choices=CitizenCategory.choices, default=CitizenCategory.UMUM
    )
    kecamatan = models.CharField(_("kecamatan"), max_length=32, choices=Kecamatan.choices, blank=True)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, help_text=_("Never shown publicly.")
    )
    title = models.CharField(
        _("official title"),
        max_length=120,
        blank=True,
        help_text=_("Shown beside an official's messages, e.g. “Bupati Pati”."),
    )
    established = models.BooleanField(
        _("established"),
        default=False,
        help_text=_("Established accounts skip the hold on a new account's first messages."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    # Derived from ``role``: Django's admin and permission checks read these.
    @property
    def is_superuser(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.MODERATOR)

    @property
    def is_official(self) -> bool:
        return self.role == Role.OFFICIAL

    @property
    def is_regency_staff(self) -> bool:
        """Officials (and their delegates, who hold the role), moderators and
        administrators: the accounts only an administrator provisions."""
        return self.role in PROVISIONED_ROLES

    @property
    def is_moderator(self) -> bool:
        """Moderators and admins may moderate."""
        return self.role in (Role.MODERATOR, Role.ADMIN)

    def get_full_name(self) -> str:
        return self.display_name or self.username

    def get_short_name(self) -> str:
        return self.display_name or self.username
