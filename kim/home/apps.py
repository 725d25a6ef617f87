from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class HomeConfig(AppConfig):
    """The top floor: start page, navigation, demo seed and retention run, collected from every
    installed app's ``home.py`` (the registry is ``kim/core/shell.py``)."""

    name = "kim.home"
    label = "home"
    verbose_name = "Start"

    def ready(self) -> None:
        autodiscover_modules("home")
