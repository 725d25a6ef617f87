"""API v1 for case management: the cases the user may see, and one case with its plan,
referrals, consents and phase history.

The same door as the UI (``kim.cases.access``): a case the user may not see is a 404, exactly
like a missing one; a role without case management (coordination, administrators, council)
gets 403 on the list and 404 on every case. Reading a case through the API is an audit event
(``CASE_READ`` with ``{"via": "api"}``). Names are decrypted for the case's own staff only –
the API shows nothing the case page would not.

Choice fields are documented as inline enums (not named components): ``status`` means different
things for goals and referrals, and named enums would collide with other apps' ``status``.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kim.accounts.access import user_context
from kim.cases.access import can_use_cases, get_case_for_user
from kim.cases.actions.dataprotection import record_case_read_via_api
from kim.cases.models import (
    Case,
    Consent,
    Goal,
    GoalStatus,
    Phase,
    PhaseChange,
    Referral,
    ReferralStatus,
)
from kim.cases.queries.dataprotection import case_api_detail, case_api_list
from kim.core.api import error_serializer, validated
from kim.core.pagination import BoundedLimitOffsetPagination
from kim.organisations.api import ERRORS, ErrorSerializer

CODE = re.compile(r"[a-z0-9]{1,32}")
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Missing, or not visible to you")}


def _enum(choices: Any, description: str = "", blank: bool = False) -> dict[str, Any]:
    values = [value for value, _label in choices]
    schema: dict[str, Any] = {"type": "string", "enum": [*values, ""] if blank else values}
    if description:
        schema["description"] = description
    return schema


class PhaseField(serializers.CharField):
    """A phase code; its own class so that the schema names the enum (see below)."""


PHASE_SCHEMA = _enum(Phase.choices, "Phase of case management (DGCC).")
extend_schema_field(PHASE_SCHEMA)(PhaseField)


class CaseFilterSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(
        required=False,
        allow_blank=True,
        choices=Phase.choices,
        help_text="Only cases in this phase.",
    )


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="person.number", help_text="Pseudonymous case number.")
    display_name = serializers.CharField(
        source="person.display_name", help_text="The person's name, or '(anonymised)'."
    )
    phase = PhaseField()
    phase_label = serializers.SerializerMethodField()
    organisation = serializers.CharField(
        source="organisation.code", help_text="Code of the organisation keeping the case file."
    )
    responsible = serializers.CharField(
        source="responsible.username", help_text="User name of the responsible case manager."
    )

    class Meta:
        model = Case
        fields = [
            "code",
            "number",
            "display_name",
            "phase",
            "phase_label",
            "organisation",
            "responsible",
            "referred_on",
            "next_review_on",
            "closed_on",
        ]
        read_only_fields = fields

    def get_phase_label(self, case: Case) -> str:
        return str(case.get_phase_display())


class GoalStatusField(serializers.CharField):
    """A goal status code, documented as an enum in the schema."""


class ReferralStatusField(serializers.CharField):
    """A referral status code, documented as an enum in the schema."""


extend_schema_field(_enum(GoalStatus.choices))(GoalStatusField)
extend_schema_field(_enum(ReferralStatus.choices))(ReferralStatusField)


class GoalSerializer(serializers.ModelSerializer):
    status = GoalStatusField()

    class Meta:
        model = Goal
        fields = ["code", "description", "due_on", "status"]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer):
    recipient = serializers.CharField(source="recipient.code", help_text="Organisation code.")
    service = serializers.CharField(
        source="service.code",
        allow_null=True,
        default=None,
        help_text="Code of the directory's service referred to (null: none named).",
    )
    status = ReferralStatusField()

    class Meta:
        model = Referral
        fields = ["code", "recipient", "service", "status", "sent_on"]
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    recipient = serializers.CharField(source="recipient.code", help_text="Organisation code.")
    categories = serializers.ListField(child=serializers.CharField(), help_text="Data categories.")
    active = serializers.SerializerMethodField(help_text="Whether the consent applies today.")

    class Meta:
        model = Consent
        fields = ["code", "recipient", "categories", "given_on", "valid_until", "active"]
        read_only_fields = fields

    def get_active(self, consent: Consent) -> bool:
        return consent.is_active_on(timezone.localdate())


class PhaseChangeSerializer(serializers.ModelSerializer):
    phase = PhaseField(source="to_phase", help_text="The phase entered.")
    previous_phase = serializers.CharField(
        source="from_phase", help_text="The phase left; empty for the first entry."
    )

    class Meta:
        model = PhaseChange
        fields = ["phase", "previous_phase", "changed_on"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    goals = GoalSerializer(many=True, read_only=True, help_text="Goals of the integration plan.")
    referrals = ReferralSerializer(many=True, read_only=True)
    consents = serializers.SerializerMethodField(help_text="The person's consents.")
    phase_history = PhaseChangeSerializer(source="phase_changes", many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "goals", "referrals", "consents", "phase_history"]
        read_only_fields = fields

    @extend_schema_field(ConsentSerializer(many=True))
    def get_consents(self, case: Case) -> Any:
        return ConsentSerializer(self.context["consents"], many=True).data


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_list",
        description="The cases the user may see (responsible, deputy, team lead), newest "
        "referral first. Roles without case management get 403.",
        parameters=[CaseFilterSerializer],
        responses={
            200: CaseSerializer(many=True),
            400: OpenApiResponse(
                error_serializer("CaseFilterError", CaseFilterSerializer),
                description="Invalid filter",
            ),
            **ERRORS,
        },
    )
)
class CaseList(generics.ListAPIView):
    serializer_class = CaseSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Case]:
        ctx = user_context(self.request)
        if not can_use_cases(ctx):
            raise PermissionDenied
        data = validated(CaseFilterSerializer, self.request.query_params)
        return case_api_list(ctx, data.get("phase", ""))


case_list = CaseList.as_view()


@extend_schema(
    operation_id="cases_retrieve",
    description="One case with goals, referrals, the person's consents and the phase history. "
    "Every read is recorded in the audit trail.",
    responses={200: CaseDetailSerializer, **NOT_FOUND, **ERRORS},
)
@api_view(["GET"])
def case_detail(request: Request, code: str) -> Response:
    if not CODE.fullmatch(code):
        raise Http404("No such case")  # garbage never reaches the database
    ctx = user_context(request)
    case, consents = case_api_detail(get_case_for_user(ctx, code))
    record_case_read_via_api(case, acting_user=request.user)
    return Response(CaseDetailSerializer(case, context={"consents": consents}).data)
