from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kim.core"
    label = "core"
    verbose_name = "Kern"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from kim.core import checks  # noqa: F401  (registers the system checks)
        from kim.core.rls import forget

        connection_created.connect(forget, dispatch_uid="kim.core.rls.forget")
