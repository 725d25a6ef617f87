"""API v1 for the cooperation with welfare agencies: the talk log and one talk.

The same doors as the UI (``access.py``) and the same read side (``queries.py``): a talk the
user may not read is a 404; a role that has no part in the cooperation gets 403 on the list.
Who owns a follow-up task is shown only to those who may manage the talk.
"""

from __future__ import annotations

from typing import Any

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
from kim.partners.access import can_manage_talk, can_use_partners, get_talk_for_user
from kim.partners.models import FollowUp, Outcome, Talk

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

    def get_queryset(self) -> list[Talk]:  # type: ignore[override]
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
