"""``GET /api/v1/statistics/cases/`` – the case statistics table as JSON (D-082).

The same door as the page: coordination, programme and team leads; a Kreis the reader cannot
count is a 404; bad parameters are a 400 with a German message. The same JSON as
``kim stats cases``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kim.accounts.access import user_context
from kim.cases.access import can_view_case_statistics
from kim.cases.statistics.measures import DIMENSIONS, MEASURES, StatisticsError
from kim.cases.statistics.queries import case_table, get_scope_for_user
from kim.core.api import PlausibleDateField, error_serializer, validated
from kim.core.rls import actor_of
from kim.organisations.api import ERRORS, ErrorSerializer


class StatisticsParams(serializers.Serializer):
    kreis = serializers.RegexField(r"^[0-9]{5,8}$", help_text="AGS of the Kreis, e.g. 05970.")
    # ``from`` is a keyword: declared below under its public name.
    to = PlausibleDateField(help_text="Last day of the period (YYYY-MM-DD).")
    measure = serializers.ChoiceField(choices=list(MEASURES))
    by = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text="Up to two dimensions, comma-separated: " + ", ".join(DIMENSIONS),
    )

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = PlausibleDateField(help_text="First day of the period (YYYY-MM-DD).")
        return fields


class EntrySerializer(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class KeyedEntrySerializer(EntrySerializer):
    keys = serializers.DictField(child=serializers.CharField())


class CaseStatisticsSerializer(serializers.Serializer):
    kreis = serializers.CharField()
    to = PlausibleDateField()
    measure = serializers.CharField()
    dimensions = serializers.ListField(child=serializers.CharField())
    cells = KeyedEntrySerializer(many=True)
    margins = KeyedEntrySerializer(many=True)
    total = EntrySerializer()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = PlausibleDateField()
        return fields


StatisticsError400 = error_serializer("StatisticsParamsError", StatisticsParams)


@extend_schema(
    operation_id="statistics_cases",
    summary="Case statistics with small counts suppressed",
    parameters=[
        OpenApiParameter("kreis", str, required=True, description="AGS of the Kreis"),
        OpenApiParameter("from", dt.date, required=True, description="YYYY-MM-DD"),
        OpenApiParameter("to", dt.date, required=True, description="YYYY-MM-DD"),
        OpenApiParameter("measure", str, required=True, enum=list(MEASURES)),
        OpenApiParameter("by", str, required=False, description="DIM or DIM,DIM"),
    ],
    responses={
        200: CaseStatisticsSerializer,
        400: OpenApiResponse(StatisticsError400, description="Invalid parameters"),
        404: OpenApiResponse(ErrorSerializer, description="Kreis missing or not yours"),
        **ERRORS,
    },
)
@api_view(["GET"])
def case_statistics(request: Request) -> Response:
    ctx = user_context(request)
    if not can_view_case_statistics(ctx):
        raise PermissionDenied
    data = validated(StatisticsParams, request.query_params)
    if data["from"] > data["to"]:
        message = _("The start of the period lies after its end.")
        raise ValidationError({"detail": f"from: {message}", "from": [message]})
    dims = tuple(d.strip() for d in (data.get("by") or "").split(",") if d.strip())
    scope = get_scope_for_user(ctx, data["kreis"])
    try:
        table = case_table(
            scope, data["measure"], dims, data["from"], data["to"], actor=actor_of(ctx)
        )
    except StatisticsError as error:
        raise ValidationError({"detail": str(error), "by": [str(error)]}) from None
    return Response(table.as_json())
