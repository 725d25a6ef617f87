from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kim.core"
    label = "core"
    verbose_name = "Kern"

    def ready(self) -> None:
        from kim.core import checks  # noqa: F401  (registers the system checks)
