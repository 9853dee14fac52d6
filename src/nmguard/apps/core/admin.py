"""Django admin for administrators: users (without their roles) and the department; reference tables
live in each area's admin. Clinical state never changes here (see docs/roles.md).

Roles change only through the two-person workflow (:mod:`nmguard.apps.core.role_changes`), so groups,
permissions and the superuser and staff flags are read-only here. A password an administrator sets
(the add form, the password form) must be changed by its user before they may sign.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.auth.models import Group
from simple_history.admin import SimpleHistoryAdmin

from nmguard.apps.core.actor import current_actor
from nmguard.apps.core.admin_base import ReadOnlyAdmin
from nmguard.apps.core.models import AuditEvent, Department, RoleChange, Signature, User


class _SetBySomeoneElse:
    """A password set by anyone but its user is marked for a change at the user's next sign-in."""

    def set_password_and_save(self, user, *args, **kwargs):
        actor = current_actor()
        user.must_change_password = user.pk is None or getattr(actor, "pk", None) != user.pk
        return super().set_password_and_save(user, *args, **kwargs)


class AdministratorSetPasswordForm(_SetBySomeoneElse, AdminPasswordChangeForm):
    pass


class AdministratorUserCreationForm(_SetBySomeoneElse, AdminUserCreationForm):
    pass


@admin.register(User)
class NMGuardUserAdmin(UserAdmin, SimpleHistoryAdmin):
    fieldsets = UserAdmin.fieldsets + (("NMGuard", {"fields": ("display_name", "must_change_password")}),)
    add_form = AdministratorUserCreationForm
    change_password_form = AdministratorSetPasswordForm
    # roles change only by a second administrator's e-signature (NMGuard's "Role changes" page)
    readonly_fields = ("groups", "user_permissions", "is_superuser", "is_staff", "must_change_password", "last_login")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "institution", "jurisdiction", "effective_dose_publication", "time_zone")

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(_ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_username", "action", "model_label", "object_id", "reason")
    list_filter = ("action", "model_label")
    search_fields = ("actor_username", "object_id", "reason")


@admin.register(Signature)
class SignatureAdmin(_ReadOnlyAdmin):
    list_display = ("signed_at", "signer_name", "meaning", "model_label", "object_id")


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "action", "role", "requested_by", "status", "decided_by")
    list_filter = ("status", "role")


# The role groups and their permissions are the matrix in roles.py (kept by sync_roles): read-only here.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(_ReadOnlyAdmin):
    list_display = ("name",)


def _read_only_but_deletable(model) -> None:
    """Sign-in throttling records (django-axes): an administrator may delete one to unlock a user, never
    edit the counts or the log."""
    if not admin.site.is_registered(model):
        return
    base = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(
        model,
        type(f"ReadOnly{base.__name__}", (base,), {"has_change_permission": lambda self, request, obj=None: False}),
    )


def _axes_models() -> list:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return [AccessAttempt, AccessLog, AccessFailureLog]


for _model in _axes_models():
    _read_only_but_deletable(_model)
