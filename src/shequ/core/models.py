"""What the core data is: the area tree, users and their role assignments, API tokens, the audit log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Each level of the materialised path is a fixed-width run of digits. Digits only, so the
# byte order and any collation agree and a subtree is one index range: path >= p AND path < p + ":".
PATH_STEP = 4


class AreaKind(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")
    GRID = "grid", _("Grid")
    BUILDING = "building", _("Building / lane")


AREA_KIND_ORDER = [AreaKind.DISTRICT, AreaKind.STREET, AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.BUILDING]
CODED_KINDS = {AreaKind.DISTRICT, AreaKind.STREET, AreaKind.COMMUNITY}


def subtree_q(path: str, field: str = "path") -> Q:
    """Everything at or below the area with this path, as one indexed range."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + ":"})


def optional_key(to: Any, verbose_name: Any = None, *, on_delete: Any = models.PROTECT, **rest: Any) -> Any:
    """A link that may be empty (NULL in the database, blank in forms), protected unless told
    otherwise: the shape most optional links of the apps take, written once. The field is a plain
    ForeignKey, so the schema and the migrations are the same as when it is written out."""
    if verbose_name is not None:
        rest["verbose_name"] = verbose_name
    return models.ForeignKey(to, null=True, blank=True, on_delete=on_delete, **rest)


class Area(models.Model):
    """A node of the area tree: district > street > community > grid > building."""

    kind = models.CharField(_("kind"), max_length=16, choices=AreaKind.choices)
    name = models.CharField(_("name"), max_length=100)
    # 12-digit statistical division code: district, street and community only.
    code = models.CharField(_("statistical code"), max_length=12, null=True, blank=True, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=PATH_STEP * 8, unique=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in AreaKind]), name="core_area_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(code__isnull=True) | Q(code__regex=r"^[0-9]{12}$"),
                name="core_area_code_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_STEP

    def ancestor_paths(self) -> list[str]:
        return [self.path[:i] for i in range(PATH_STEP, len(self.path), PATH_STEP)]

    def is_within(self, path: str) -> bool:
        return self.path.startswith(path)


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role assignments, never from flags."""

    display_name = models.CharField(_("name"), max_length=50, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def is_locked(self, now: Any = None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class RoleAssignment(models.Model):
    """One role held on one area. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=32)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="assignments"
    )
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The last day the role holds (a third-party evaluator's engagement ends; issue 9). None: no end.
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="core_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.area}"


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Set when the token ends before it expires: signed out, refreshed, or the account's password or
    # last role went (docs/security.md, "Tokens: lifetime and revocation").
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The account's session hash (an HMAC of its password hash) when issued: a password changed by any
    # path, an operator's `shequ changepassword` included, ends the token as it ends sessions.
    password_stamp = models.CharField(max_length=128, default="")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.pk}"


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    PASSWORD_CHANGE = "password_change", _("Password change")
    VIEW_SENSITIVE = "view_sensitive", _("View of a sensitive field")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    PERMISSION_CHANGE = "permission_change", _("Permission change")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    ANONYMISE = "anonymise", _("Anonymised after its retention period")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only")


class AuditEntry(models.Model):
    """Who did what, when, from where, to which object. Append-only, also inside the database."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No foreign keys: an entry must outlive the user and the object it names.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The area the entry belongs to, as a path snapshot, so an area admin sees the log of their area.
    area_path = models.CharField(max_length=PATH_STEP * 8, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # The hash chain (tamper evidence): each entry's hash covers its content and the previous entry's
    # hash, so a changed, removed or inserted entry breaks every link after it (`shequ audit verify`).
    # Entries written before the chain began have empty hashes.
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "at"], name="core_audit_area_at"),
            models.Index(fields=["object_type", "object_id"], name="core_audit_object"),
            models.Index(fields=["actor_id", "at"], name="core_audit_actor_at"),
            # Failed sign-ins per address in a window: the throttle against password spraying.
            models.Index(fields=["action", "ip", "at"], name="core_audit_action_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only")


class AuditHead(models.Model):
    """The newest link of the audit chain, in one row. Writers lock this row first, so entries join the
    chain one at a time (also on SQLite, where the first write takes the database's write lock)."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.last_id} {self.last_hash[:12]}"


class ImportJob(models.Model):
    """An uploaded file on its way in: validated into staged rows first, written only when clean
    (or when the user chose to write the good rows), all in one transaction."""

    class Status(models.TextChoices):
        VALIDATED = "validated", _("Checked")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=30)  # e.g. "residents"
    # None: the operator, at the command line.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="import_jobs"
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.VALIDATED)
    total_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)  # already registered: skipped, never doubled
    created_rows = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class ImportRow(models.Model):
    """One staged row. The original cells are kept encrypted, so bad rows can be handed back as typed."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()
    key = models.CharField(max_length=64, blank=True, db_index=True)  # e.g. the ID number's blind index
    raw_encrypted = models.TextField()
    data = models.JSONField(default=dict)  # validated values, sensitive ones already sealed
    problems = models.JSONField(default=list)  # [[column, header, message], ...]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="core_importrow_unique")]
        indexes = [models.Index(fields=["job", "key"], name="core_importrow_job_key")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.number}"


class SecondFactor(models.Model):
    """A staff member's authenticator (TOTP, RFC 6238). The secret is encrypted at rest; `last_step` is
    the newest 30-second step already used, so a code cannot be replayed."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="second_factor")
    secret_encrypted = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} {'confirmed' if self.confirmed_at else 'pending'}"


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator is lost; only its digest is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="core_recovery_code_once")]

    def __str__(self) -> str:
        return f"{self.user} {'used' if self.used_at else 'unused'}"


class GrantKind(models.TextChoices):
    """What a sensitive-access grant opens (PIPL art. 28, 等保 8.1.4.2). A new kind (e.g. case notes)
    is added here and declared in core/grants.py: which (resource, action) may ask for it."""

    MINORS = "minors", _("Records of children under 14")
    BULK_EXPORT = "bulk_export", _("Bulk export of personal data")
    CASE_NOTES = "case_notes", _("Case notes")


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")


class SensitiveAccessGrant(models.Model):
    """A separate, approved and time-limited permission to reach sensitive records of one area:
    asked for by one person with a reason, decided by another of a higher (or administrator) role."""

    kind = models.CharField(_("kind"), max_length=20, choices=GrantKind.choices)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="sensitive_grants"
    )
    reason = models.TextField(_("reason"), max_length=500)
    days = models.PositiveSmallIntegerField(_("days"), default=30)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("revoked by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sensitive-access grant")
        verbose_name_plural = _("sensitive-access grants")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "kind", "status"], name="core_grant_user_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in GrantKind]), name="core_grant_kind_valid"
            ),
            # Nobody approves their own request: held by the database too.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="core_grant_not_self_decided",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(expires_at__isnull=False, decided_by__isnull=False),
                name="core_grant_approved_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.area} · {self.requested_by}"

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.status == GrantStatus.APPROVED and self.expires_at is not None and self.expires_at > now
