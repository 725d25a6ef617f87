"""API v1 for organisations: the same access predicates as the UI."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kim.accounts.access import user_context
from kim.core.pagination import BoundedLimitOffsetPagination
from kim.organisations import queries
from kim.organisations.access import can_browse_directory, get_organisation_for_user
from kim.organisations.models import Organisation, OrgKind, PopulationFigure


class PopulationFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = PopulationFigure
        fields = ["category", "reference_date", "value", "source"]


class OrganisationSerializer(serializers.ModelSerializer):
    # "parent" shadows Field.parent for the type checker only; DRF pops declared fields.
    parent = serializers.SlugRelatedField(  # type: ignore[assignment,var-annotated]
        slug_field="code", read_only=True, allow_null=True
    )
    region: serializers.Field = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    umbrella: serializers.Field = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Organisation
        fields = [
            "code",
            "kind",
            "name",
            "short_name",
            "ags",
            "municipality_type",
            "parent",
            "region",
            "umbrella",
            "authority_type",
            "rechtskreis",
            "legal_form",
            "website",
            "is_demo",
        ]


class OrganisationDetailSerializer(OrganisationSerializer):
    population = PopulationFigureSerializer(source="population_figures", many=True, read_only=True)

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "population"]


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated"),
    403: OpenApiResponse(
        ErrorSerializer, description="Authenticated, but the role may not read this"
    ),
}


class OrganisationFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    kind = serializers.ChoiceField(required=False, allow_blank=True, choices=OrgKind.choices)


class FilterErrorSerializer(serializers.Serializer):
    q = serializers.ListField(child=serializers.CharField(), required=False)
    kind = serializers.ListField(child=serializers.CharField(), required=False)


@extend_schema_view(
    get=extend_schema(
        operation_id="organisations_list",
        parameters=[OrganisationFilterSerializer],
        responses={
            200: OrganisationSerializer(many=True),
            400: OpenApiResponse(
                FilterErrorSerializer, description="Invalid filter, messages per field"
            ),
            **ERRORS,
        },
    )
)
class OrganisationList(generics.ListAPIView):
    """Organisations visible to the user: their region plus Land and Bezirksregierung."""

    serializer_class = OrganisationSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Organisation]:
        ctx = user_context(self.request)
        if not can_browse_directory(ctx):
            raise PermissionDenied
        filters = OrganisationFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return queries.organisation_list(
            ctx,
            q=filters.validated_data.get("q", "").strip(),
            kind=filters.validated_data.get("kind", ""),
        )


organisation_list = OrganisationList.as_view()


@extend_schema(
    operation_id="organisations_retrieve",
    responses={
        200: OrganisationDetailSerializer,
        404: OpenApiResponse(ErrorSerializer, description="Missing, or not visible to you"),
        **ERRORS,
    },
)
@api_view(["GET"])
def organisation_detail(request: Request, code: str) -> Response:
    org = get_organisation_for_user(user_context(request), code)
    return Response(OrganisationDetailSerializer(org).data)
