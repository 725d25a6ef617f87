"""What the service network contributes to the shell (kim/core/shell.py). Each part of the app
states its own menu flags, start cards and demo steps in its package's ``home`` module:
the directory (``directory/home.py``), the public page (``public/home.py``) and the
interpreter pool (``interpreters/home.py``)."""

from kim.network.directory import home as directory_home  # noqa: F401
from kim.network.interpreters import home as interpreters_home  # noqa: F401
from kim.network.public import home as public_home  # noqa: F401
