"""Django admin for administrators: users and the department. The audit trail is read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from nmguard.apps.core.models import AuditEvent, Department, Signature, User


@admin.register(User)
class NMGuardUserAdmin(UserAdmin, SimpleHistoryAdmin):
    fieldsets = UserAdmin.fieldsets + (("NMGuard", {"fields": ("display_name",)}),)


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "institution", "jurisdiction", "effective_dose_publication", "time_zone")


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
