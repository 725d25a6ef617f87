"""Forms of the proof pages: the list filter, the preparer's data, the grantor's review."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProofStatus

REVIEW_CHOICES = [
    (ProofStatus.ACCEPTED.value, _("accept")),
    (ProofStatus.QUERIED.value, _("query (back to the preparer, with a reason)")),
    (ProofStatus.RECLAIM.value, _("accept with a reclaim")),
]


class ProofFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Funding year"), required=False, coerce=int)
    status = forms.ChoiceField(label=_("Status"), required=False)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)

    def __init__(
        self, data: object, *, years: list[int], organisations: list[tuple[str, str]]
    ) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        fields = cast(dict[str, forms.ChoiceField], self.fields)
        fields["year"].choices = [("", _("all years"))] + [(y, str(y)) for y in years]
        fields["status"].choices = [("", _("all")), *list(ProofStatus.choices)]
        fields["organisation"].choices = [("", _("all organisations")), *organisations]


class ProofEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    third_party_funds = forms.DecimalField(
        label=_("Third-party funds (€)"),
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=_("Funds from others than the grantor spent on the same purpose; 0 if none."),
    )
    third_party_note = forms.CharField(
        label=_("Third-party funds: from whom"), max_length=300, required=False
    )
    place = forms.CharField(
        label=_("Place (for the signature line)"), max_length=100, required=False
    )


class ReviewForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result of the review"), choices=REVIEW_CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a query; shown to the preparer."),
    )
    reclaim_amount = forms.DecimalField(
        label=_("Reclaim (€)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Only for a reclaim: at most what has been paid under the agreement."),
    )
