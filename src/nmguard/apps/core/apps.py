from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "nmguard.apps.core"
    label = "core"
    verbose_name = "NMGuard core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from nmguard.apps.core import dashboard, receivers, role_changes, roles

        receivers.connect()
        dashboard.ATTENTION_PROVIDERS.append(role_changes.attention)
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="nmguard_sync_roles")
