"""API v1 for topics (generative themes): the list and one topic with its evidence counts and
level history.

The same door as the board (``access.topics_for_user``) and the same read side
(``queries_topics``): a topic the reader may not see is a 404, like a made-up code; a role
without topics gets 404 on the list too (as the board does). Case managers read what the page
shows them: title, category, level, status and counts – no description, reason, working group
or level history. Never a case, person, case manager or employer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from kim.accounts.access import user_context
from kim.core.api import error_serializer, validated
from kim.core.pagination import BoundedLimitOffsetPagination
from kim.organisations.api import ERRORS, ErrorSerializer
from kim.steering import access
from kim.steering import queries_topics as queries
from kim.steering.models import Topic, TopicLevel, TopicLevelChange, TopicStatus

STATUS_FILTER = [("all", "all"), *TopicStatus.choices]

NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Missing, or not visible to you")}


class TopicFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        required=False,
        allow_blank=True,
        choices=STATUS_FILTER,
        help_text="Empty: proposed and open topics; 'all': every status.",
    )
    level = serializers.ChoiceField(required=False, allow_blank=True, choices=TopicLevel.choices)


class TopicSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.key", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    barriers = serializers.IntegerField(source="barrier_count", read_only=True)
    proposed_quarter = serializers.CharField(
        read_only=True, help_text="e.g. 2026-Q1; empty if not proposed by the system."
    )

    class Meta:
        model = Topic
        fields = [
            "code",
            "title",
            "region",
            "category",
            "category_name",
            "status",
            "level",
            "proposed_quarter",
            "barriers",
        ]
        read_only_fields = fields


class CountSerializer(serializers.Serializer):
    name = serializers.CharField()
    barriers = serializers.IntegerField()


class EvidenceSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    organisations = serializers.IntegerField(
        help_text="Number of organisations whose cases the barriers come from."
    )
    by_quarter = CountSerializer(many=True)
    by_category = CountSerializer(many=True)
    by_legal_sphere = CountSerializer(many=True)


class LevelChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TopicLevelChange
        fields = ["changed_on", "from_level", "to_level", "reason"]
        read_only_fields = fields


class TopicDetailSerializer(TopicSerializer):
    description = serializers.CharField(
        required=False, help_text="Only for the full readers of the topic's Kreis."
    )
    status_reason = serializers.CharField(
        required=False, help_text="Only for the full readers of the topic's Kreis."
    )
    working_group = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Name of the working group; only for the full readers of the topic's Kreis.",
    )
    merged_into = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Code of the topic it was merged into; only for full readers.",
    )
    evidence = EvidenceSerializer(read_only=True)
    level_history = LevelChangeSerializer(
        many=True, required=False, help_text="Only for the full readers of the topic's Kreis."
    )

    class Meta(TopicSerializer.Meta):
        fields = [
            *TopicSerializer.Meta.fields,
            "description",
            "status_reason",
            "working_group",
            "merged_into",
            "evidence",
            "level_history",
        ]
        read_only_fields = ["code"]


def _counts(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"name": name, "barriers": n} for name, n in rows]


@extend_schema_view(
    get=extend_schema(
        operation_id="steering_topics_list",
        parameters=[TopicFilterSerializer],
        responses={
            200: TopicSerializer(many=True),
            400: OpenApiResponse(
                error_serializer("TopicFilterError", TopicFilterSerializer),
                description="Invalid filter",
            ),
            **NOT_FOUND,
            **ERRORS,
        },
    )
)
class TopicList(generics.ListAPIView):
    """Topics the user may read, with their barrier count."""

    serializer_class = TopicSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Topic]:
        ctx = user_context(self.request)
        if not access.can_view_topics(ctx):
            raise Http404("No topics")
        data = validated(TopicFilterSerializer, self.request.query_params)
        f = queries.TopicFilter(status=data.get("status", ""), level=data.get("level", ""))
        return queries.topic_list(ctx, f)


topic_list = TopicList.as_view()


@extend_schema(
    operation_id="steering_topics_retrieve",
    responses={200: TopicDetailSerializer, **NOT_FOUND, **ERRORS},
)
@api_view(["GET"])
def topic_detail(request: Request, code: str) -> Response:
    """One topic with its evidence (counts by quarter, category and legal sphere) and, for the
    full readers of its Kreis, its description, working group and level history."""
    ctx = user_context(request)
    topic = access.get_topic_for_user(ctx, code)
    topic.barrier_count = topic.barriers.count()  # type: ignore[attr-defined]
    data: dict[str, Any] = dict(TopicSerializer(topic).data)
    ev = queries.evidence(topic)
    data["evidence"] = {
        "total": ev.total,
        "organisations": ev.organisations,
        "by_quarter": _counts(ev.by_quarter),
        "by_category": _counts(ev.by_category),
        "by_legal_sphere": _counts(ev.by_legal_sphere),
    }
    if access.can_read_topic_details(ctx, topic):
        data["description"] = topic.description
        data["status_reason"] = topic.status_reason
        data["working_group"] = topic.working_group.name if topic.working_group else None
        data["merged_into"] = topic.merged_into.code if topic.merged_into else None
        data["level_history"] = LevelChangeSerializer(queries.level_history(topic), many=True).data
    return Response(data)
