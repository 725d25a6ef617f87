"""KIM programme data: funding rates, grants, positions with dated history, pay rules, scenarios.

Everything that changes with time carries ``valid_from``/``valid_to`` (or a dated history row)
and a source; a position's state on any date ("Stichtag") is computed from its history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kim.core.models import CodeField, add_months, in_period


class Baustein(models.TextChoices):
    B1 = "B1", _("Baustein 1 – coordination")
    B2 = "B2", _("Baustein 2 – case management")
    B3 = "B3", _("Baustein 3 – Ausländer- and Einbürgerungsbehörde")


class RateKind(models.TextChoices):
    PER_VZE = "per_vze", _("per full-time post and year")
    VA_HALF = "va_half", _("0.5 Verwaltungsassistenz per year")
    WORKPLACE_SETUP = "workplace_setup", _("workplace setup per full-time post (one-off)")
    NON_PERSONNEL = "non_personnel", _("non-personnel costs per full-time post and year")


def _valid_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name=name
    )


class FundingRate(models.Model):
    """A Land funding amount for one Baustein and kind, valid for a period."""

    code = CodeField()
    baustein = models.CharField(_("Baustein"), max_length=2, choices=Baustein.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=RateKind.choices)
    amount = models.DecimalField(
        _("amount (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("False: a configurable default, not checked against a primary source."),
    )
    source = models.CharField(_("source"), max_length=500)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("funding rate")
        verbose_name_plural = _("funding rates")
        ordering = ["baustein", "kind", "valid_from"]
        constraints = [
            _valid_range("fundingrate_valid_range"),
            models.UniqueConstraint(
                fields=["baustein", "kind", "valid_from"], name="fundingrate_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.baustein} {self.kind} {self.amount} € ab {self.valid_from:%d.%m.%Y}"

    def covers(self, day: dt.date) -> bool:
        return in_period(day, self.valid_from, self.valid_to)


class Grant(models.Model):
    """A Zuwendungsbescheid of the Bezirksregierung to a Kreis or kreisfreie Stadt."""

    code = CodeField()
    recipient = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("recipient"),
    )
    grantor = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="grants_given",
        verbose_name=_("granting authority"),
    )
    year = models.PositiveSmallIntegerField(_("funding year"))
    baustein = models.CharField(_("Baustein"), max_length=2, choices=Baustein.choices)
    approved_vze = models.DecimalField(
        _("approved VZÄ"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    amount = models.DecimalField(
        _("approved amount (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    notice_date = models.DateField(_("date of notice"))
    period_start = models.DateField(_("funding period from"))
    period_end = models.DateField(_("funding period to"))
    file_reference = models.CharField(_("file reference"), max_length=100, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    proof_due_months = models.PositiveSmallIntegerField(
        _("proof of use due (months after the period)"),
        default=6,
        help_text=_(
            "The Verwendungsnachweis is due this many months after the end of the funding "
            "period. 6 is common practice under VV zu § 44 LHO; not confirmed for KIM."
        ),
    )

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-year", "baustein"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="grant_period_range"
            ),
            models.UniqueConstraint(
                fields=["recipient", "year", "baustein"], name="grant_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.year} {self.baustein}"

    @property
    def proof_due_on(self) -> dt.date:
        """The deadline of the Verwendungsnachweis: ``proof_due_months`` after the period."""
        return add_months(self.period_end, self.proof_due_months)


# --- pay rules (TVöD), loaded from kim.programmes.reference_data -----------------------------


class PayTableEntry(models.Model):
    """Monthly full-time pay of one group and step, valid from a date (TVöD VKA / SuE)."""

    scale = models.CharField(_("pay scale"), max_length=20)
    group = models.CharField(_("pay group"), max_length=10)
    step = models.PositiveSmallIntegerField(_("step"))
    valid_from = models.DateField(_("valid from"))
    amount = models.DecimalField(_("monthly pay (€)"), max_digits=12, decimal_places=2)
    computed = models.BooleanField(_("computed"), default=False)
    rule = models.CharField(_("computation rule"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("pay table entry")
        verbose_name_plural = _("pay table entries")
        ordering = ["group", "valid_from", "step"]
        constraints = [
            models.UniqueConstraint(fields=["group", "step", "valid_from"], name="pay_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} Stufe {self.step} ab {self.valid_from}: {self.amount}"


class StepRule(models.Model):
    scale = models.CharField(_("pay scale"), max_length=20)
    step = models.PositiveSmallIntegerField(_("step"))
    years = models.PositiveSmallIntegerField(_("years in this step"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("step rule")
        verbose_name_plural = _("step rules")
        constraints = [models.UniqueConstraint(fields=["scale", "step"], name="steprule_unique")]

    def __str__(self) -> str:
        return f"{self.scale} Stufe {self.step}: {self.years}"


class SpecialPaymentRate(models.Model):
    scale = models.CharField(_("pay scale"), max_length=20)
    group_from = models.CharField(_("from group"), max_length=10)
    group_to = models.CharField(_("to group"), max_length=10)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("annual special payment rate")
        verbose_name_plural = _("annual special payment rates")
        constraints = [_valid_range("specialpayment_valid_range")]

    def __str__(self) -> str:
        return f"{self.group_from}–{self.group_to} {self.rate} ab {self.valid_from}"


class EmployerAddOn(models.Model):
    valid_from = models.DateField(_("valid from"), unique=True)
    factor = models.DecimalField(_("employer cost factor"), max_digits=6, decimal_places=4)
    breakdown = models.JSONField(_("breakdown"), default=list)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("employer add-on")
        verbose_name_plural = _("employer add-ons")
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"× {self.factor} ab {self.valid_from}"


# --- positions ---------------------------------------------------------------------------------


class EmployerType(models.TextChoices):
    MUNICIPAL = "municipal", _("municipal")
    TRAEGER = "traeger", _("welfare agency (freier Träger)")


class PositionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    APPROVED = "approved", _("approved")
    ADVERTISED = "advertised", _("advertised")
    FILLED = "filled", _("filled")
    VACANT = "vacant", _("vacant")
    DISCONTINUED = "discontinued", _("discontinued")


# Which status may follow which (a post can be re-advertised after a vacancy, and so on).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    PositionStatus.PLANNED: frozenset({"approved", "discontinued"}),
    PositionStatus.APPROVED: frozenset({"advertised", "filled", "discontinued"}),
    PositionStatus.ADVERTISED: frozenset({"filled", "vacant", "discontinued"}),
    PositionStatus.FILLED: frozenset({"vacant", "discontinued"}),
    PositionStatus.VACANT: frozenset({"advertised", "filled", "discontinued"}),
    PositionStatus.DISCONTINUED: frozenset(),
}


class Position(models.Model):
    """A KIM post (Stelle). Status, incumbents and funding live in dated history rows."""

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="kim_positions",
        verbose_name=_("Kreis"),
    )
    baustein = models.CharField(_("Baustein"), max_length=2, choices=Baustein.choices)
    title = models.CharField(_("title"), max_length=200)
    vze = models.DecimalField(
        _("VZÄ"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    home = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="hosted_positions",
        verbose_name=_("organisational home"),
    )
    unit = models.ForeignKey(
        "organisations.OrganisationalUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("unit"),
    )
    employer_type = models.CharField(_("employer"), max_length=12, choices=EmployerType.choices)
    rate_kind = models.CharField(
        _("funded as"),
        max_length=20,
        choices=[
            (RateKind.PER_VZE, RateKind.PER_VZE.label),
            (RateKind.VA_HALF, RateKind.VA_HALF.label),
        ],
        default=RateKind.PER_VZE,
    )
    tasks = models.TextField(_("tasks"), blank=True, help_text=_("What this post does."))
    pay_group = models.CharField(
        _("pay group"), max_length=10, blank=True, help_text=_("e.g. E 9c or S 12")
    )
    entry_step = models.PositiveSmallIntegerField(_("step"), default=1)
    step_since = models.DateField(_("in this step since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    scenario = models.ForeignKey(
        "AllocationScenario",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
        verbose_name=_("from allocation scenario"),
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["baustein", "home__name", "title"]
        indexes = [models.Index(fields=["region", "baustein"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.baustein}, {self.vze} VZÄ)"

    def status_on(self, day: dt.date) -> str | None:
        """The status on ``day`` (uses prefetched ``status_changes`` when present)."""
        current = None
        for change in self.status_changes.all():  # ordered by valid_from, id
            if change.valid_from > day:
                break
            current = change.status
        return current

    def incumbents_on(self, day: dt.date) -> list[Incumbency]:
        return [i for i in self.incumbencies.all() if i.covers(day)]

    def funding_on(self, day: dt.date) -> FundingPeriod | None:
        matching = [f for f in self.funding_periods.all() if f.covers(day)]
        return matching[-1] if matching else None


class PositionStatusChange(models.Model):
    """Append-only status history: the status holds from ``valid_from`` until the next row."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=14, choices=PositionStatus.choices)
    valid_from = models.DateField(_("from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.status} ab {self.valid_from}"


class StaffMember(models.Model):
    """An employee holding KIM posts; reports show the pseudonym only.

    The record belongs to the organisation that employs the person (``employer``: the home of
    the posts they hold – a town, the Kreis, an authority or a welfare agency); only those who
    keep that organisation's posts see and change it (decisions D-046). ``region`` is the
    employer's Kreis, where pseudonyms are unique.
    """

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="kim_staff",
        verbose_name=_("employer"),
        help_text=_("The organisation that employs the person and hosts their posts."),
    )
    pseudonym = models.CharField(
        _("pseudonym"), max_length=40, help_text=_("e.g. CM-07; used in reports")
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("Shown to coordination only.")
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        constraints = [
            models.UniqueConstraint(fields=["region", "pseudonym"], name="staff_unique_pseudonym")
        ]

    def __str__(self) -> str:
        return self.pseudonym


class QualificationState(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_TRAINING = "in_training", _("in training")
    CERTIFIED = "certified", _("certified")


class Qualification(models.Model):
    """Case-management qualification (e.g. DGCC), as dated states."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="qualifications")
    state = models.CharField(_("state"), max_length=12, choices=QualificationState.choices)
    on = models.DateField(_("date"))
    provider = models.CharField(_("provider"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.state} {self.on}"


class Incumbency(models.Model):
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="incumbencies")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="incumbencies")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("incumbency")
        verbose_name_plural = _("incumbencies")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="incumbency_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.start}–{self.end or ''}"

    def covers(self, day: dt.date) -> bool:
        return in_period(day, self.start, self.end)


class FundingSource(models.TextChoices):
    KIM = "kim", _("KIM funding (Land)")
    OWN = "own", _("own funds")
    OTHER = "other", _("other")


class FundingPeriod(models.Model):
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="funding_periods")
    source = models.CharField(_("funding source"), max_length=8, choices=FundingSource.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("funding period")
        verbose_name_plural = _("funding periods")
        ordering = ["valid_from", "id"]
        constraints = [_valid_range("fundingperiod_valid_range")]

    def __str__(self) -> str:
        return f"{self.source} {self.valid_from}–{self.valid_to or ''}"

    def covers(self, day: dt.date) -> bool:
        return in_period(day, self.valid_from, self.valid_to)


# --- allocation scenarios ------------------------------------------------------------------------


class DistributionKey(models.TextChoices):
    POPULATION = "population", _("population")
    FOREIGN = "foreign", _("foreign population")
    REFUGEES = "refugees", _("refugees")
    CUSTOM = "custom", _("custom weights")


class AllocationScenario(models.Model):
    """A saved allocation of a Baustein's VZÄ over the towns of a Kreis, with its inputs."""

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    baustein = models.CharField(
        _("Baustein"), max_length=2, choices=Baustein.choices, default=Baustein.B2
    )
    name = models.CharField(_("name"), max_length=200)
    total = models.DecimalField(_("total VZÄ"), max_digits=6, decimal_places=2)
    step = models.DecimalField(_("granularity (VZÄ)"), max_digits=6, decimal_places=2)
    minimum = models.DecimalField(
        _("minimum per town (VZÄ)"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    method = models.CharField(_("method"), max_length=20)
    key = models.CharField(_("distribution key"), max_length=12, choices=DistributionKey.choices)
    as_of = models.DateField(_("reference date of the key"), null=True, blank=True)
    pools = models.JSONField(_("pools"), default=list, blank=True)
    custom_weights = models.JSONField(_("custom weights"), default=dict, blank=True)
    key_source = models.CharField(_("source of the key"), max_length=500, blank=True)
    result = models.JSONField(_("result"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation scenario")
        verbose_name_plural = _("allocation scenarios")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


# --- actual cost and Land payments (proof of use, decisions D-085) -------------------------------


class CostKind(models.TextChoices):
    PERSONNEL = "personnel", _("personnel cost")
    SETUP = "setup", _("workplace setup")


class CostSource(models.TextChoices):
    IMPORT = "import", _("payroll import")
    MANUAL = "manual", _("entered by hand")


class PayrollImport(models.Model):
    """One imported payroll export (all rows or none), for the audit trail and the post pages."""

    code = CodeField()
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employer"),
    )
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    total = models.DecimalField(_("total (€)"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("payroll import")
        verbose_name_plural = _("payroll imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class ActualCost(models.Model):
    """The actual employer cost of a post in one month (personnel) or a one-off setup cost.

    Personal data of the staff member holding the post: only the employer's programme lead and
    the KIM coordination see it (``kim.programmes.access.can_view_payroll``).
    """

    code = CodeField()
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="actual_costs")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    kind = models.CharField(
        _("kind"), max_length=10, choices=CostKind.choices, default=CostKind.PERSONNEL
    )
    amount = models.DecimalField(
        _("amount (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    staff = models.ForeignKey(
        StaffMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff member"),
    )
    source = models.CharField(_("source"), max_length=8, choices=CostSource.choices)
    batch = models.ForeignKey(
        PayrollImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("actual cost")
        verbose_name_plural = _("actual costs")
        ordering = ["position", "month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "month", "kind"], name="actualcost_unique_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="actualcost_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.position_id} {self.month:%m/%Y} {self.kind}: {self.amount}"


class GrantPayment(models.Model):
    """A payment of the Land received on a grant (what the proof of use counts as received)."""

    code = CodeField()
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="payments")
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("payment received")
        verbose_name_plural = _("payments received")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.grant_id} {self.received_on}: {self.amount}"


class DueRuleKind(models.TextChoices):
    FILLED_MONTHS = "filled_months", _("months in which the post was filled, pro rata by VZÄ")
    FULL_YEAR = "full_year", _("the whole year, whether filled or not")


class FundingDueRule(models.Model):
    """How vacancies reduce the Land funding due – a dated rule, not a constant (D-085).

    A month counts as filled when the post's status on the 15th of the month is "filled" and the
    post is funded by KIM then. The default rule is a configurable assumption (UNCONFIRMED).
    """

    code = CodeField()
    rule = models.CharField(_("rule"), max_length=20, choices=DueRuleKind.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("False: a configurable default, not checked against a primary source."),
    )
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("rule for vacancies")
        verbose_name_plural = _("rules for vacancies")
        ordering = ["valid_from"]
        constraints = [_valid_range("fundingduerule_valid_range")]

    def __str__(self) -> str:
        return f"{self.rule} ab {self.valid_from:%d.%m.%Y}"

    def covers(self, day: dt.date) -> bool:
        return in_period(day, self.valid_from, self.valid_to)
