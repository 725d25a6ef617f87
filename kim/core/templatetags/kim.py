"""Template helpers: KERN form widgets with accessible error wiring, and German numbers."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

WIDGET_CLASSES = {
    "select": "kern-form-input__select",
    "selectmultiple": "kern-form-input__select",
    "checkbox": "kern-form-check__checkbox",
    "radioselect": "kern-form-check__radio",
}


@register.filter
def kern(field: BoundField) -> SafeString:
    """Render a widget with KERN classes, ``aria-describedby`` (hint, error), ``aria-invalid``."""
    css = WIDGET_CLASSES.get(field.widget_type, "kern-form-input__input")
    if field.errors:
        css += f" {css}--error"
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_hint")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs: dict[str, str | bool] = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def percent(value: object) -> str:
    """A fraction as a German percentage: 0.0125 → "1,25 %"."""
    from decimal import Decimal, InvalidOperation

    from django.utils.formats import number_format

    try:
        number = Decimal(str(value)) * 100
    except InvalidOperation:
        return str(value)
    return f"{number_format(number.normalize(), use_l10n=True)} %"
