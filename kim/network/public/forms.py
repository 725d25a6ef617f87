"""The filter form of the public page (GET, no CSRF token: the page is cached publicly)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kim.network.public.queries import Filters


class PublicFilterForm(forms.Form):
    thema = forms.ChoiceField(label=_("Topic"), required=False)
    ort = forms.ChoiceField(label=_("Town"), required=False)
    sprache_angebot = forms.ChoiceField(label=_("Counselling in the language"), required=False)
    suche = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(
        self,
        *args: Any,
        topics: list[tuple[str, str]],
        towns: list[tuple[str, str]],
        offered: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("all"))]
        self.fields["thema"].choices = every + topics  # type: ignore[attr-defined]
        self.fields["ort"].choices = every + towns  # type: ignore[attr-defined]
        self.fields["sprache_angebot"].choices = every + offered  # type: ignore[attr-defined]

    def filters(self) -> Filters:
        """The valid filters; an invalid value (an old link) is ignored, not an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return Filters(
            topic=data.get("thema") or "",
            town=data.get("ort") or "",
            language=data.get("sprache_angebot") or "",
            text=(data.get("suche") or "").strip(),
        )
