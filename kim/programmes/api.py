"""API v1 for the KIM programme: positions, funding rates, allocation, scenarios and forecast.

The same doors as the UI (``access.py``): a position or Kreis the user may not see is a 404,
one they may see but not manage a 403. Money and VZÄ are decimal strings, never floats.
Every 400 carries a ``detail`` message and, for invalid parameters, the messages per parameter.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kim.accounts.access import user_context
from kim.core.api import PlausibleDateField, error_serializer, validated
from kim.core.pagination import BoundedLimitOffsetPagination
from kim.organisations.api import ERRORS, ErrorSerializer
from kim.organisations.models import Organisation
from kim.programmes import allocation, queries
from kim.programmes.access import (
    can_use_programme,
    get_position_for_user,
    get_region_for_managing,
    get_region_for_overview,
    positions_for_user,
)
from kim.programmes.apportionment import Method
from kim.programmes.models import (
    AllocationScenario,
    Baustein,
    EmployerType,
    FundingPeriod,
    FundingRate,
    Incumbency,
    Position,
    PositionStatus,
    PositionStatusChange,
    RateKind,
)

# The divisor methods hand out units one at a time; this keeps a request well under a second.
MAX_UNITS = 10_000
FIRST_YEAR, LAST_YEAR, MAX_YEARS = 2020, 2060, 15
# Pools as AGS only (a pool is named after its towns), which keeps URLs short.
POOLS_PATTERN = r"^[0-9]{8}(,[0-9]{8})+(;[0-9]{8}(,[0-9]{8})+)*$"


# --- errors -----------------------------------------------------------------------------------


NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Missing, or not visible to you")}


# --- positions --------------------------------------------------------------------------------


class PositionFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    baustein = serializers.ChoiceField(required=False, allow_blank=True, choices=Baustein.choices)
    status = serializers.ChoiceField(
        required=False,
        allow_blank=True,
        choices=PositionStatus.choices,
        help_text="Status on the reference date `day`.",
    )
    employer_type = serializers.ChoiceField(
        required=False, allow_blank=True, choices=EmployerType.choices
    )
    day = PlausibleDateField(
        required=False, help_text="Reference date (YYYY-MM-DD) for the status; default today."
    )


class PositionSerializer(serializers.ModelSerializer):
    region: serializers.Field = serializers.SlugRelatedField(slug_field="code", read_only=True)
    home: serializers.Field = serializers.SlugRelatedField(slug_field="code", read_only=True)
    home_name = serializers.CharField(source="home.name", read_only=True)
    unit = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    vze = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=True, read_only=True
    )
    # A post is funded per VZÄ or as half a Verwaltungsassistenz; documented with every rate
    # kind, the same choice set as ``FundingRate.rate_kind``.
    rate_kind = serializers.ChoiceField(choices=RateKind.choices, read_only=True)
    status = serializers.SerializerMethodField(help_text="Status on the reference date.")
    holders = serializers.SerializerMethodField(
        help_text="Pseudonyms of the post holders on the reference date."
    )

    class Meta:
        model = Position
        fields = [
            "code",
            "baustein",
            "title",
            "vze",
            "region",
            "home",
            "home_name",
            "unit",
            "employer_type",
            "rate_kind",
            "pay_group",
            "entry_step",
            "tasks",
            "status",
            "holders",
        ]

    def _day(self) -> dt.date:
        day: dt.date = self.context.get("day") or timezone.localdate()
        return day

    @extend_schema_field(
        serializers.ChoiceField(choices=PositionStatus.choices, allow_null=True)  # type: ignore[arg-type]
    )
    def get_status(self, position: Position) -> str | None:
        return position.status_on(self._day())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))  # type: ignore[arg-type]
    def get_holders(self, position: Position) -> list[str]:
        return [i.staff.pseudonym for i in position.incumbents_on(self._day())]


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PositionStatusChange
        fields = ["status", "valid_from", "note"]


class IncumbentSerializer(serializers.ModelSerializer):
    """A post holder by pseudonym; names never leave the platform through the API."""

    pseudonym = serializers.CharField(source="staff.pseudonym", read_only=True)

    class Meta:
        model = Incumbency
        fields = ["pseudonym", "start", "end"]


class FundingPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingPeriod
        fields = ["source", "valid_from", "valid_to", "note"]


class PositionDetailSerializer(PositionSerializer):
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    incumbents = IncumbentSerializer(source="incumbencies", many=True, read_only=True)
    funding_periods = FundingPeriodSerializer(many=True, read_only=True)

    class Meta(PositionSerializer.Meta):
        fields = [
            *PositionSerializer.Meta.fields,
            "step_since",
            "status_history",
            "incumbents",
            "funding_periods",
        ]


@extend_schema_view(
    get=extend_schema(
        operation_id="positions_list",
        parameters=[PositionFilterSerializer],
        responses={
            200: PositionSerializer(many=True),
            400: OpenApiResponse(
                error_serializer("PositionFilterError", PositionFilterSerializer),
                description="Invalid filter",
            ),
            **ERRORS,
        },
    )
)
class PositionList(generics.ListAPIView):
    """KIM posts visible to the user with their status on a reference date (default today)."""

    serializer_class = PositionSerializer
    pagination_class = BoundedLimitOffsetPagination
    day: dt.date | None = None

    def get_queryset(self) -> list[Position]:  # type: ignore[override]
        ctx = user_context(self.request)
        if not can_use_programme(ctx):
            raise PermissionDenied
        data = validated(PositionFilterSerializer, self.request.query_params)
        self.day = data.get("day") or timezone.localdate()
        f = queries.PositionFilter(
            q=data.get("q", "").strip(),
            baustein=data.get("baustein", ""),
            status=data.get("status", ""),
            employer_type=data.get("employer_type", ""),
        )
        return [position for position, _status in queries.position_list(ctx, f, self.day)]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "day": self.day}


position_list = PositionList.as_view()


@extend_schema(
    operation_id="positions_retrieve",
    responses={200: PositionDetailSerializer, **NOT_FOUND, **ERRORS},
)
@api_view(["GET"])
def position_detail(request: Request, code: str) -> Response:
    """One post with its status today, status history, holders (pseudonyms) and funding."""
    ctx = user_context(request)
    position = get_position_for_user(ctx, code)
    position = queries.with_history(positions_for_user(ctx).filter(pk=position.pk)).get()
    return Response(PositionDetailSerializer(position, context={"day": timezone.localdate()}).data)


# --- funding rates ----------------------------------------------------------------------------


class FundingRateSerializer(serializers.ModelSerializer):
    # Named like ``Position.rate_kind``, which picks the rate a post is funded by (and one
    # choice set per property name keeps the schema's enum names stable: "kind" is OrgKind).
    rate_kind = serializers.ChoiceField(choices=RateKind.choices, source="kind", read_only=True)
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=True, read_only=True
    )

    class Meta:
        model = FundingRate
        fields = [
            "code",
            "baustein",
            "rate_kind",
            "amount",
            "valid_from",
            "valid_to",
            "confirmed",
            "source",
            "note",
        ]


@extend_schema(
    operation_id="funding_rates_list",
    responses={200: FundingRateSerializer(many=True), **ERRORS},
)
@api_view(["GET"])
def funding_rate_list(request: Request) -> Response:
    """Every Land funding rate, past and present; ``confirmed`` false marks unchecked defaults."""
    if not can_use_programme(user_context(request)):
        raise PermissionDenied
    return Response(FundingRateSerializer(queries.funding_rates(), many=True).data)


# --- allocation -------------------------------------------------------------------------------


class _AsWritten(serializers.DecimalField):
    """Checks digits and places but keeps the number as written, like ``kim allocate``
    (a step of 0.5 gives allocations such as 7.0, not 7.00)."""

    def quantize(self, value: Decimal) -> Decimal:
        return value


class AllocationQuerySerializer(serializers.Serializer):
    total = _AsWritten(
        max_digits=6, decimal_places=2, min_value=Decimal(0), help_text="VZÄ to distribute."
    )
    step = _AsWritten(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0.01"),
        default=Decimal("0.5"),
        help_text="Granularity in VZÄ; total and min must be whole multiples of it.",
    )
    key = serializers.ChoiceField(
        choices=list(allocation.KEY_CATEGORIES), default="population", help_text="Distribution key."
    )
    as_of = PlausibleDateField(help_text="Reference date of the key figures (YYYY-MM-DD).")
    method = serializers.ChoiceField(
        choices=[m.value for m in Method], default=Method.LARGEST_REMAINDER.value
    )
    min = _AsWritten(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal(0),
        default=Decimal(0),
        help_text="Minimum VZÄ per town or pool.",
    )
    pools = serializers.RegexField(
        POOLS_PATTERN,
        required=False,
        max_length=200,
        error_messages={"invalid": gettext_lazy("Write pools as AGS,AGS;AGS,AGS,AGS")},
        help_text=(
            "Towns sharing posts: the AGS of each pool separated by commas, pools separated by "
            "semicolons, e.g. `05970032,05970016`."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["total"] > attrs["step"] * MAX_UNITS:
            raise serializers.ValidationError(
                {
                    "total": _("At most %(n)d steps at once: choose a larger step.")
                    % {"n": MAX_UNITS}
                }
            )
        return attrs


def _decimal(**kwargs: Any) -> serializers.DecimalField:
    """An exact decimal string, as many places as the number has."""
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        coerce_to_string=True,
        read_only=True,
        **kwargs,
    )


class AllocationRowSerializer(serializers.Serializer):
    ags = serializers.CharField(help_text="AGS of the town, or `pool-N` for a pool.")
    name = serializers.CharField()
    members = serializers.ListField(child=serializers.CharField(), help_text="AGS of the towns.")
    weight = _decimal()
    quota = _decimal(help_text="Exact share by weight, rounded to four places.")
    allocated = _decimal()
    raised_to_minimum = serializers.BooleanField()


class AllocationSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=[m.value for m in Method])
    total = _decimal()
    step = _decimal()
    minimum = _decimal()
    divisor = _decimal(allow_null=True, help_text="Divisor methods only.")
    # "source" (and "label" below) shadow Field attributes for the type checker only; DRF pops
    # declared fields from the class.
    source = serializers.CharField(help_text="Source of the key figures.")  # type: ignore[assignment]
    steps = serializers.ListField(
        child=serializers.CharField(), help_text="What happened, in order."
    )
    rows = AllocationRowSerializer(many=True)


def _pools(region: Organisation, pools: str) -> tuple[allocation.Pool, ...]:
    """Pools named after their towns ("Stadt Netphen + Stadt Freudenberg")."""
    if not pools:
        return ()
    names = {town.ags: town.name for town in allocation.towns_of(region)}
    result = []
    for pool in pools.split(";"):
        ags = tuple(dict.fromkeys(pool.split(",")))  # a town named twice counts once
        result.append(allocation.Pool(" + ".join(names.get(a, a) for a in ags), ags))
    return tuple(result)


@extend_schema(
    operation_id="programmes_allocation",
    parameters=[AllocationQuerySerializer],
    responses={
        200: AllocationSerializer,
        400: OpenApiResponse(
            error_serializer("AllocationError", AllocationQuerySerializer),
            description="Invalid input: `detail` says why (and per parameter where one is wrong)",
        ),
        **NOT_FOUND,
        **ERRORS,
    },
)
@api_view(["GET"])
def allocation_preview(request: Request, code: str) -> Response:
    """Apportion VZÄ over the towns of the Kreis by a key, as ``kim allocate``; nothing is saved."""
    region = get_region_for_managing(user_context(request), code)
    data = validated(AllocationQuerySerializer, request.query_params)
    pools = _pools(region, data.get("pools", ""))
    inputs = allocation.Inputs(
        region=region,
        total=data["total"],
        step=data["step"],
        method=data["method"],
        key=data["key"],
        as_of=data["as_of"],
        minimum=data["min"],
        pools=pools,
    )
    try:
        result, source, _claimants = allocation.run(inputs)
    except allocation.AllocationInputError as exc:
        raise ValidationError({"detail": str(exc)}) from exc
    members = {f"pool-{i}": list(p.ags) for i, p in enumerate(pools, start=1)}
    body = {
        "method": str(result.method),
        "total": result.total,
        "step": result.step,
        "minimum": result.minimum,
        "divisor": result.divisor,
        "source": source,
        "steps": list(result.steps),
        "rows": [
            {
                "ags": r.key,
                "name": r.name,
                "members": members.get(r.key, [r.key]),
                "weight": r.weight,
                "quota": r.quota,
                "allocated": r.allocated,
                "raised_to_minimum": r.raised_to_minimum,
            }
            for r in result.rows
        ],
    }
    return Response(AllocationSerializer(body).data)


# --- scenarios --------------------------------------------------------------------------------


class PoolSerializer(serializers.Serializer):
    name = serializers.CharField()
    ags = serializers.ListField(child=serializers.CharField())


class ScenarioRowSerializer(serializers.Serializer):
    """One row of a saved result; numbers as saved (decimal strings)."""

    key = serializers.CharField(required=False, help_text="AGS, or `pool-N` for a pool.")
    name = serializers.CharField(required=False)
    members = serializers.ListField(child=serializers.CharField(), required=False)
    weight = serializers.CharField(required=False)
    quota = serializers.CharField(required=False)
    floor_units = serializers.IntegerField(required=False)
    remainder = serializers.CharField(required=False)
    extra_unit = serializers.BooleanField(required=False)
    raised_to_minimum = serializers.BooleanField(required=False)
    allocated = serializers.CharField(required=False)


class ScenarioResultSerializer(serializers.Serializer):
    method = serializers.CharField(required=False)
    divisor = serializers.CharField(required=False, allow_null=True)
    source = serializers.CharField(required=False)  # type: ignore[assignment]
    steps = serializers.ListField(child=serializers.CharField(), required=False)
    rows = ScenarioRowSerializer(many=True, required=False)


class ScenarioSerializer(serializers.ModelSerializer):
    total = _decimal()
    step = _decimal()
    minimum = _decimal()
    pools = PoolSerializer(many=True, read_only=True)
    result = ScenarioResultSerializer(read_only=True)

    class Meta:
        model = AllocationScenario
        fields = [
            "code",
            "name",
            "baustein",
            "method",
            "key",
            "as_of",
            "total",
            "step",
            "minimum",
            "pools",
            "key_source",
            "result",
            "created_at",
            "adopted_at",
        ]


@extend_schema_view(
    get=extend_schema(
        operation_id="programmes_scenarios_list",
        responses={200: ScenarioSerializer(many=True), **NOT_FOUND, **ERRORS},
    )
)
class ScenarioList(generics.ListAPIView):
    """Saved allocation scenarios of the Kreis, newest first, with their results."""

    serializer_class = ScenarioSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self) -> list[AllocationScenario]:  # type: ignore[override]
        region = get_region_for_managing(user_context(self.request), self.kwargs["code"])
        return queries.scenarios_for_region(region)


scenario_list = ScenarioList.as_view()


# --- forecast ---------------------------------------------------------------------------------


class ForecastQuerySerializer(serializers.Serializer):
    first_year = serializers.IntegerField(
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="Default: this year (or four years before last_year).",
    )
    last_year = serializers.IntegerField(
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="Default: four years after first_year; at most 15 years in all.",
    )
    baustein = serializers.ChoiceField(required=False, allow_blank=True, choices=Baustein.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs.get("first_year"), attrs.get("last_year")
        if first is None:
            first = max(FIRST_YEAR, last - 4) if last is not None else timezone.localdate().year
        if last is None:
            last = min(LAST_YEAR, first + 4)
        if last < first:
            raise serializers.ValidationError(
                {"last_year": _("The last year lies before the first.")}
            )
        if last - first >= MAX_YEARS:
            raise serializers.ValidationError({"last_year": _("At most 15 years at once.")})
        return {**attrs, "first_year": first, "last_year": last}


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=True, read_only=True, **kwargs
    )


class CostRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    months = serializers.IntegerField(help_text="Months employed, summed over the posts.")
    gross = _money()
    employer_cost = _money()
    funding = _money(help_text="Land funding.")
    eigenanteil = _money(help_text="Employer cost minus funding.")
    missing_table = serializers.BooleanField(
        help_text="The year lies beyond the known pay tables; the last one was carried forward."
    )


class BausteinLineSerializer(serializers.Serializer):
    baustein = serializers.ChoiceField(choices=Baustein.choices, source="label")
    rows = CostRowSerializer(many=True)


class OrganisationLineSerializer(serializers.Serializer):
    name = serializers.CharField(source="label")
    rows = CostRowSerializer(many=True)


class PositionLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    rows = CostRowSerializer(many=True)


class ForecastSerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())
    missing_table = serializers.BooleanField()
    total = CostRowSerializer(many=True, source="total.rows")
    by_baustein = BausteinLineSerializer(many=True)
    by_organisation = OrganisationLineSerializer(many=True, source="by_home")
    positions = PositionLineSerializer(
        many=True, help_text="Per post, only the posts the caller may open (/positions/)."
    )
    without_pay_group = serializers.SerializerMethodField(
        help_text="Codes of posts left out (no pay group or no start date) the caller may open."
    )
    positions_not_listed = serializers.IntegerField(
        source="not_listed",
        help_text="Posts the caller may not open: in the totals, but not listed per post.",
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))  # type: ignore[arg-type]
    def get_without_pay_group(self, forecast: queries.Forecast) -> list[str]:
        return [p.code for p in forecast.without_pay_group]


@extend_schema(
    operation_id="programmes_forecast",
    parameters=[ForecastQuerySerializer],
    responses={
        200: ForecastSerializer,
        400: OpenApiResponse(
            error_serializer("ForecastError", ForecastQuerySerializer),
            description="Invalid years or Baustein, or years the pay tables cannot cover",
        ),
        **NOT_FOUND,
        **ERRORS,
    },
)
@api_view(["GET"])
def forecast(request: Request, code: str) -> Response:
    """Employer cost, Land funding and Eigenanteil per year: in total, per Baustein, per
    organisation and per post (as recorded, no what-if assumptions). The totals cover every
    post of the Kreis; per post, only the posts the caller may open are listed."""
    ctx = user_context(request)
    region = get_region_for_overview(ctx, code)
    data = validated(ForecastQuerySerializer, request.query_params)
    try:
        result = queries.forecast_for(
            region,
            reader=ctx,
            years=range(data["first_year"], data["last_year"] + 1),
            baustein=data.get("baustein", ""),
        )
    except ValueError as exc:
        # The pay engine carries tables forward for a limited time only (``pay.CARRY_MONTHS``):
        # years too far beyond the known tables cannot be costed.
        raise ValidationError(
            {
                "detail": _("The forecast cannot be computed for these years: %(reason)s")
                % {"reason": exc}
            }
        ) from exc
    return Response(ForecastSerializer(result).data)
