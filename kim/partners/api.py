"""API v1 for the cooperation with welfare agencies: the talk log and one talk, the
pass-through agreements and one agreement, the calls for expressions of interest and one call.

The same doors as the UI (``access.py``) and the same read side (``queries.py``): a talk the
user may not read is a 404; a role that has no part in the cooperation gets 403 on the list.
Who owns a follow-up task is shown only to those who may manage the talk. Agreements follow
``agreements_for_user``: a welfare-agency manager reads only those its agency receives.
Calls follow ``calls_for_user`` (drafts only for their managers) and show only the submissions
of ``submissions_for_user``; scores and the ranking are never part of the API.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
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
from kim.core.api import error_serializer, validated
from kim.core.pagination import BoundedLimitOffsetPagination
from kim.organisations.api import ERRORS, ErrorSerializer
from kim.organisations.models import Organisation
from kim.partners import queries
from kim.partners.access import (
    can_manage_call,
    can_manage_talk,
    can_use_agreements,
    can_use_calls,
    can_use_partners,
    get_agreement_for_user,
    get_call_for_user,
    get_talk_for_user,
    submissions_for_user,
)
from kim.partners.models import (
    Agreement,
    AgreementAmount,
    AgreementKind,
    Call,
    CallDecision,
    CallStatus,
    Criterion,
    FollowUp,
    Outcome,
    Payment,
    ReportingDuty,
    Submission,
    Talk,
)
from kim.programmes.models import Baustein

FIRST_YEAR, LAST_YEAR = 2000, 2100
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Missing, or not visible to you")}


class TalkFilterSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(required=False, allow_blank=True, choices=Outcome.choices)
    year = serializers.IntegerField(
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="Year in which the talk was held.",
    )
    traeger = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Code of a welfare agency that took part.",
    )


class TraegerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["code", "name"]
        read_only_fields = fields


class TalkSerializer(serializers.ModelSerializer):
    host: serializers.Field = serializers.SlugRelatedField(slug_field="code", read_only=True)
    host_name = serializers.CharField(source="host.name", read_only=True)
    traeger = serializers.SerializerMethodField(help_text="The welfare agencies that took part.")
    # Declared so that the schema allows the empty value (see ``CallSerializer.decision``).
    baustein = serializers.ChoiceField(
        choices=Baustein.choices, allow_blank=True, read_only=True, help_text="Empty if none."
    )

    class Meta:
        model = Talk
        fields = [
            "code",
            "held_on",
            "host",
            "host_name",
            "format",
            "outcome",
            "outcome_summary",
            "traeger",
            "baustein",
        ]
        read_only_fields = fields

    @extend_schema_field(TraegerRefSerializer(many=True))
    def get_traeger(self, talk: Talk) -> Any:
        return TraegerRefSerializer(queries.traeger_participants(talk), many=True).data


class FollowUpSerializer(serializers.ModelSerializer):
    done = serializers.SerializerMethodField()
    # Not read-only, so the schema marks it optional: it is left out for mere readers.
    owner = serializers.CharField(
        source="owner.username",
        required=False,
        help_text="User name of the owner; only for those who may manage the talk.",
    )

    class Meta:
        model = FollowUp
        fields = ["code", "title", "due", "done", "owner"]
        read_only_fields = ["code", "title", "due", "done"]

    def get_done(self, task: FollowUp) -> bool:
        return task.done_at is not None

    def to_representation(self, instance: FollowUp) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not self.context.get("show_owner"):
            data.pop("owner", None)
        return data


class TalkDetailSerializer(TalkSerializer):
    follow_ups = serializers.SerializerMethodField(help_text="Tasks agreed in the talk.")

    class Meta(TalkSerializer.Meta):
        fields = [*TalkSerializer.Meta.fields, "topics", "follow_ups"]
        read_only_fields = fields

    @extend_schema_field(FollowUpSerializer(many=True))
    def get_follow_ups(self, talk: Talk) -> Any:
        return FollowUpSerializer(talk.follow_ups.all(), many=True, context=self.context).data


@extend_schema_view(
    get=extend_schema(
        operation_id="partners_talks_list",
        parameters=[TalkFilterSerializer],
        responses={
            200: TalkSerializer(many=True),
            400: OpenApiResponse(
                error_serializer("TalkFilterError", TalkFilterSerializer),
                description="Invalid filter",
            ),
            **ERRORS,
        },
    )
)
class TalkList(generics.ListAPIView):
    """Talks with welfare agencies the user may read, newest first, with their outcome."""

    serializer_class = TalkSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Talk]:
        ctx = user_context(self.request)
        if not can_use_partners(ctx):
            raise PermissionDenied
        data = validated(TalkFilterSerializer, self.request.query_params)
        f = queries.TalkFilter(
            traeger=data.get("traeger", "").strip(),
            outcome=data.get("outcome", ""),
            year=data.get("year"),
        )
        return queries.talk_list(ctx, f)


talk_list = TalkList.as_view()


@extend_schema(
    operation_id="partners_talks_retrieve",
    responses={200: TalkDetailSerializer, **NOT_FOUND, **ERRORS},
)
@api_view(["GET"])
def talk_detail(request: Request, code: str) -> Response:
    """One talk with its topics and follow-up tasks."""
    ctx = user_context(request)
    talk = queries.talk_detail(get_talk_for_user(ctx, code))
    context = {"show_owner": can_manage_talk(ctx, talk)}
    return Response(TalkDetailSerializer(talk, context=context).data)


# --- pass-through agreements ---------------------------------------------------------------

AGREEMENT_STATUS = ["running", "ended", "not_yet_started"]


class AgreementFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(required=False, allow_blank=True, choices=AgreementKind.choices)
    recipient = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Code of the recipient (a town or a welfare agency).",
    )
    year = serializers.IntegerField(
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="Year the agreement's period overlaps.",
    )


class AgreementSerializer(serializers.ModelSerializer):
    grantor = TraegerRefSerializer(read_only=True, help_text="Who passes the funds on.")
    recipient = TraegerRefSerializer(read_only=True, help_text="Who receives the funds.")
    status = serializers.SerializerMethodField(
        help_text="Whether the period is running, has ended or has not yet started (today)."
    )
    open_payments = serializers.SerializerMethodField(help_text="Payments not yet done.")
    open_reports = serializers.SerializerMethodField(help_text="Reports not yet received.")
    overdue = serializers.SerializerMethodField(
        help_text="A report not yet received was due before today."
    )

    class Meta:
        model = Agreement
        fields = [
            "code",
            "kind",
            "title",
            "grantor",
            "recipient",
            "signed_on",
            "period_start",
            "period_end",
            "status",
            "open_payments",
            "open_reports",
            "overdue",
        ]
        read_only_fields = fields

    def _today(self) -> dt.date:
        today: dt.date = self.context.get("today") or timezone.localdate()
        return today

    @extend_schema_field(serializers.ChoiceField(choices=AGREEMENT_STATUS))
    def get_status(self, agreement: Agreement) -> str:
        # The same rule as the status column of the UI list.
        today = self._today()
        if agreement.period_end < today:
            return "ended"
        if agreement.period_start > today:
            return "not_yet_started"
        return "running"

    # The list annotates the counts (``queries.agreement_list``); the detail has the rows
    # prefetched (``queries.agreement_detail``) and counts them in Python.
    def get_open_payments(self, agreement: Agreement) -> int:
        annotated = getattr(agreement, "open_payments", None)
        if annotated is not None:
            return int(annotated)
        return sum(1 for p in agreement.payments.all() if p.done_on is None)

    def get_open_reports(self, agreement: Agreement) -> int:
        annotated = getattr(agreement, "open_reports", None)
        if annotated is not None:
            return int(annotated)
        return sum(1 for d in agreement.duties.all() if d.received_on is None)

    def get_overdue(self, agreement: Agreement) -> bool:
        if hasattr(agreement, "next_due"):
            next_due: dt.date | None = agreement.next_due
        else:
            open_dues = [d.due_on for d in agreement.duties.all() if d.received_on is None]
            next_due = min(open_dues, default=None)
        return next_due is not None and next_due < self._today()


class AgreementAmountSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementAmount
        fields = ["year", "amount", "top_up"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["due_on", "kind", "amount", "done_on"]
        read_only_fields = fields


class ReportingDutySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingDuty
        fields = ["due_on", "kind", "received_on", "review", "reclaim_amount"]
        read_only_fields = fields


class AgreementDetailSerializer(AgreementSerializer):
    amounts = AgreementAmountSerializer(many=True, read_only=True, help_text="Amounts per year.")
    payments = PaymentSerializer(many=True, read_only=True, help_text="The payment schedule.")
    duties = ReportingDutySerializer(many=True, read_only=True, help_text="Reporting duties.")

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "amounts", "payments", "duties"]
        read_only_fields = fields


@extend_schema_view(
    get=extend_schema(
        operation_id="partners_agreements_list",
        parameters=[AgreementFilterSerializer],
        responses={
            200: AgreementSerializer(many=True),
            400: OpenApiResponse(
                error_serializer("AgreementFilterError", AgreementFilterSerializer),
                description="Invalid filter",
            ),
            **ERRORS,
        },
    )
)
class AgreementList(generics.ListAPIView):
    """Pass-through agreements the user may read, latest period first, with open items."""

    serializer_class = AgreementSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self) -> list[Agreement]:  # type: ignore[override]
        ctx = user_context(self.request)
        if not can_use_agreements(ctx):
            raise PermissionDenied
        data = validated(AgreementFilterSerializer, self.request.query_params)
        f = queries.AgreementFilter(
            kind=data.get("kind", ""),
            recipient=data.get("recipient", "").strip(),
            year=data.get("year"),
        )
        return queries.agreement_list(ctx, f)


agreement_list = AgreementList.as_view()


@extend_schema(
    operation_id="partners_agreements_retrieve",
    responses={200: AgreementDetailSerializer, **NOT_FOUND, **ERRORS},
)
@api_view(["GET"])
def agreement_detail(request: Request, code: str) -> Response:
    """One agreement with its amounts per year, payment schedule and reporting duties."""
    ctx = user_context(request)
    agreement = queries.agreement_detail(get_agreement_for_user(ctx, code))
    return Response(AgreementDetailSerializer(agreement).data)


# --- calls for expressions of interest -----------------------------------------------------

NO_SCORES = (
    "Scores, the ranking and the evaluators' comments are never part of the API, for anyone: "
    "only the call's managers see them, on the call's page."
)


class CallFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=CallStatus.choices)
    year = serializers.IntegerField(
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="Year of the deadline for submissions.",
    )


class CallSubmissionSerializer(serializers.ModelSerializer):
    traeger = TraegerRefSerializer(read_only=True, help_text="The welfare agency that submitted.")
    agreement: serializers.Field = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Code of the pass-through agreement that resulted from an award.",
    )

    class Meta:
        model = Submission
        fields = ["code", "traeger", "submitted_at", "vze_offered", "status", "agreement"]
        read_only_fields = fields


VZE = serializers.DecimalField(max_digits=8, decimal_places=2)


class CallSerializer(serializers.ModelSerializer):
    issuer = TraegerRefSerializer(
        read_only=True, help_text="The Kreis or town that offers the posts."
    )
    offered_vze = serializers.SerializerMethodField(help_text="VZÄ of all posts offered.")
    # Declared, not generated: a generated read-only field drops ``allow_blank``, and the
    # schema would then forbid the empty decision of a call not yet decided.
    decision = serializers.ChoiceField(
        choices=CallDecision.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until the call is decided.",
    )
    submissions = serializers.SerializerMethodField(
        help_text="Only the submissions you may see: all for the call's managers, the own "
        "agency's for a welfare-agency manager, none for others. No scores, no ranking."
    )
    decision_reason = serializers.SerializerMethodField(
        help_text="The reason of the decision, for the call's managers only (it may weigh "
        "competitors against each other); empty for everyone else."
    )

    class Meta:
        model = Call
        fields = [
            "code",
            "title",
            "issuer",
            "baustein",
            "area",
            "period_start",
            "period_end",
            "funding_per_vze",
            "top_up_per_vze",
            "offered_vze",
            "published_on",
            "deadline",
            "status",
            "decision",
            "decision_reason",
            "decided_on",
            "submissions",
        ]
        read_only_fields = fields

    # The list annotates the sum (``queries.call_list``); the detail adds it up in Python.
    @extend_schema_field(VZE)
    def get_offered_vze(self, call: Call) -> Any:
        annotated = getattr(call, "offered_vze", None)
        if annotated is None:
            annotated = sum((p.vze for p in call.positions.all()), Decimal(0))
        return VZE.to_representation(annotated)

    def get_decision_reason(self, call: Call) -> str:
        managed: set[int] = self.context["managed"]
        return call.decision_reason if call.pk in managed else ""

    @extend_schema_field(CallSubmissionSerializer(many=True))
    def get_submissions(self, call: Call) -> Any:
        visible: dict[int, list[Submission]] = self.context["submissions"]
        return CallSubmissionSerializer(visible.get(call.pk, []), many=True).data


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["name", "description", "weight"]
        read_only_fields = fields


class CallDetailSerializer(CallSerializer):
    criteria = CriterionSerializer(
        many=True, read_only=True, help_text="Assessment criteria with their weight in per cent."
    )

    class Meta(CallSerializer.Meta):
        fields = [*CallSerializer.Meta.fields, "description", "criteria"]
        read_only_fields = fields


@extend_schema_view(
    get=extend_schema(
        operation_id="partners_calls_list",
        description="Calls for expressions of interest the user may read, latest deadline "
        "first: their managers (coordination for the Kreis, a town's programme lead for the "
        "town's calls) see drafts too, a welfare-agency manager the published calls of its "
        "Kreis with only its own submissions. " + NO_SCORES,
        parameters=[CallFilterSerializer],
        responses={
            200: CallSerializer(many=True),
            400: OpenApiResponse(
                error_serializer("CallFilterError", CallFilterSerializer),
                description="Invalid filter",
            ),
            **ERRORS,
        },
    )
)
class CallList(generics.ListAPIView):
    serializer_class = CallSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self) -> list[Call]:  # type: ignore[override]
        ctx = user_context(self.request)
        if not can_use_calls(ctx):
            raise PermissionDenied
        data = validated(CallFilterSerializer, self.request.query_params)
        f = queries.CallFilter(status=data.get("status", ""), year=data.get("year"))
        return queries.call_list(ctx, f)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The visible submissions of the page's calls only, in one query.
        page = self.paginate_queryset(self.get_queryset()) or []
        context = {
            "submissions": queries.visible_submissions(user_context(request), page),
            "managed": {c.pk for c in page if getattr(c, "may_manage", False)},
        }
        return self.get_paginated_response(CallSerializer(page, many=True, context=context).data)


call_list = CallList.as_view()


@extend_schema(
    operation_id="partners_calls_retrieve",
    description="One call for expressions of interest with its criteria and the submissions "
    "the user may see; a call the user may not read is a 404, like a missing one. " + NO_SCORES,
    responses={200: CallDetailSerializer, **NOT_FOUND, **ERRORS},
)
@api_view(["GET"])
def call_detail(request: Request, code: str) -> Response:
    ctx = user_context(request)
    call = get_call_for_user(ctx, code)
    submissions = submissions_for_user(ctx, call).select_related("traeger", "agreement")
    context = {
        "submissions": {call.pk: list(submissions.order_by("submitted_at", "id"))},
        "managed": {call.pk} if can_manage_call(ctx, call) else set(),
    }
    return Response(CallDetailSerializer(call, context=context).data)
