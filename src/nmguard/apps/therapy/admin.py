"""Admin pages of therapy: the protocol catalogue; courses and cycles are read-only records here."""

from django.contrib import admin

from nmguard.apps.core.admin_base import NoDeleteAdmin, ReadOnlyAdmin
from nmguard.apps.therapy.models import TherapyCourse, TherapyCycle, TherapyProtocol

admin.site.register(TherapyProtocol, NoDeleteAdmin)
admin.site.register(TherapyCourse, ReadOnlyAdmin)
admin.site.register(TherapyCycle, ReadOnlyAdmin)
