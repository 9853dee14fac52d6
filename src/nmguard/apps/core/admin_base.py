"""Admin bases: clinical records are never deleted in the admin; some are read-only there."""

from simple_history.admin import SimpleHistoryAdmin


class NoDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    """Records that change only through their workflow (checks, signatures, audit)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
