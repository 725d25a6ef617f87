"""Calls for expressions of interest (Interessenbekundungsverfahren): creating and publishing a
call with its criteria, receiving and withdrawing submissions, scoring them, and the decision.

An award passes the posts on: it creates one pass-through contract per awarded agency (amounts
pro rata by month from the call's funding and top-up per VZÄ) and moves each awarded post to the
agency, with a dated staffing decision — all in one transaction with the decision.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.formats import date_de, decimal_de
from kim.core.models import Actor, actor_user
from kim.core.uploads import CheckedFile
from kim.organisations.models import Organisation, OrgKind
from kim.partners.actions import (
    _check_region,
    create_agreement,
    record_staffing_decision,
)
from kim.partners.models import (
    Agreement,
    AgreementKind,
    Award,
    Call,
    CallDecision,
    CallStatus,
    Criterion,
    Score,
    Submission,
    SubmissionDocument,
    SubmissionStatus,
)
from kim.programmes.actions import update_position
from kim.programmes.models import EmployerType, Position

CENT = Decimal("0.01")


def _lock(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _check_offer(region: Organisation, baustein: str, posts: list[Position]) -> None:
    if not posts:
        raise ValidationError({"positions": _("Choose at least one post to offer.")})
    if any(p.region_id != region.pk for p in posts):
        raise ValidationError({"positions": _("The posts must belong to this Kreis.")})
    if any(p.baustein != baustein for p in posts):
        raise ValidationError({"positions": _("All posts offered must belong to the Baustein.")})
    if any(p.employer_type == EmployerType.TRAEGER for p in posts):
        raise ValidationError(
            {"positions": _("A post already filled by a welfare agency cannot be offered.")}
        )
    open_elsewhere = Call.objects.filter(positions__in=posts).exclude(status=CallStatus.DECIDED)
    if open_elsewhere.exists():
        raise ValidationError(
            {
                "positions": _("A post is already offered in the open call “%(title)s”.")
                % {"title": open_elsewhere.first()}
            }
        )


def _check_terms(start: dt.date, end: dt.date, funding: Decimal, top_up: Decimal) -> None:
    if end < start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if funding <= 0:
        raise ValidationError({"funding_per_vze": _("The funding must be greater than zero.")})
    if top_up < 0:
        raise ValidationError({"top_up_per_vze": _("The top-up must not be negative.")})


def _check_scoring(scale_max: int, min_evaluators: int) -> None:
    if not 1 <= scale_max <= 100:
        raise ValidationError({"scale_max": _("The highest score must lie between 1 and 100.")})
    if not 2 <= min_evaluators <= 9:
        raise ValidationError(
            {"min_evaluators": _("At least two evaluators are needed (four-eyes rule), at most 9.")}
        )


@transaction.atomic
def create_call(
    *,
    acting_user: Actor,
    issuer: Organisation,
    title: str,
    baustein: str,
    area: str,
    positions: Iterable[Position],
    period_start: dt.date,
    period_end: dt.date,
    funding_per_vze: Decimal,
    deadline: dt.datetime,
    top_up_per_vze: Decimal = Decimal(0),
    description: str = "",
    scale_max: int = 10,
    min_evaluators: int = 2,
) -> Call:
    """A draft call offering posts of the issuer's Kreis; criteria follow, then publication."""
    if issuer.kind not in (OrgKind.KREIS, OrgKind.KREISFREIE_STADT, OrgKind.KOMMUNE):
        raise ValidationError({"issuer": _("A call is issued by a Kreis or a town.")})
    region = issuer if issuer.is_region else issuer.region
    if region is None:
        raise ValidationError({"issuer": _("A call is issued by a Kreis or a town.")})
    posts = list(positions)
    _check_offer(region, baustein, posts)
    _check_terms(period_start, period_end, funding_per_vze, top_up_per_vze)
    _check_scoring(scale_max, min_evaluators)
    call = Call(
        region=region,
        issuer=issuer,
        title=title,
        description=description,
        baustein=baustein,
        area=area,
        period_start=period_start,
        period_end=period_end,
        funding_per_vze=funding_per_vze,
        top_up_per_vze=top_up_per_vze,
        deadline=deadline,
        scale_max=scale_max,
        min_evaluators=min_evaluators,
    )
    call.full_clean()
    call.save()
    call.positions.set(posts)
    record(
        EventType.CALL_CREATED,
        actor=acting_user,
        subject=call,
        organisation=issuer,
        extra={"positions": sorted(p.code for p in posts), "baustein": baustein},
    )
    return call


@transaction.atomic
def add_criterion(
    call: Call, *, acting_user: Actor, name: str, weight: int, description: str = ""
) -> Criterion:
    """A criterion with its weight in per cent; the weights of a call may not exceed 100."""
    current = _lock(call)
    if current.status != CallStatus.DRAFT:
        raise ValidationError(_("Criteria can only be changed before the call is published."))
    if not 1 <= weight <= 100:
        raise ValidationError({"weight": _("The weight must lie between 1 and 100 per cent.")})
    existing = list(current.criteria.all())
    used = sum(c.weight for c in existing)
    if used + weight > 100:
        raise ValidationError(
            {
                "weight": _(
                    "The weights don't add up: %(used)s %% are already given, so at most "
                    "%(left)s %% are left."
                )
                % {"used": used, "left": 100 - used}
            }
        )
    if any(c.name.casefold() == name.strip().casefold() for c in existing):
        raise ValidationError({"name": _("This call already has a criterion with this name.")})
    criterion = Criterion(
        call=current,
        name=name.strip(),
        description=description,
        weight=weight,
        order=len(existing) + 1,
    )
    criterion.full_clean()
    criterion.save()
    record(
        EventType.CALL_CRITERION_ADDED,
        actor=acting_user,
        subject=current,
        organisation=current.issuer,
        extra={"weight": weight},
    )
    return criterion


@transaction.atomic
def publish_call(call: Call, *, acting_user: Actor, published_on: dt.date) -> Call:
    """Publish a complete draft: criteria weighing 100 % and a deadline after publication."""
    current = _lock(call)
    if current.status != CallStatus.DRAFT:
        raise ValidationError(_("This call has already been published."))
    weights = sum(c.weight for c in current.criteria.all())
    if weights != 100:
        raise ValidationError(
            _("The weights of the criteria must add up to 100 %%; they add up to %(sum)s %%.")
            % {"sum": weights}
        )
    if timezone.localtime(current.deadline).date() <= published_on:
        raise ValidationError(
            {
                "published_on": _(
                    "The deadline (%(deadline)s) must lie after the day of publication."
                )
                % {"deadline": date_de(timezone.localtime(current.deadline).date())}
            }
        )
    current.status, current.published_on = CallStatus.PUBLISHED, published_on
    current.version += 1
    current.save(update_fields=["status", "published_on", "version"])
    record(
        EventType.CALL_PUBLISHED,
        actor=acting_user,
        subject=current,
        organisation=current.issuer,
        extra={"published_on": published_on.isoformat()},
    )
    return current


def total_vze(call: Call) -> Decimal:
    return sum((p.vze for p in call.positions.all()), Decimal(0))


@transaction.atomic
def submit_interest(
    call: Call,
    *,
    acting_user: Actor,
    traeger: Organisation,
    vze_offered: Decimal,
    summary: str,
    submitted_at: dt.datetime | None = None,
    documents: Iterable[CheckedFile] = (),
) -> Submission:
    """An agency's expression of interest; received at ``submitted_at`` (default: now).

    Rejected after the deadline, before publication, twice for the same agency, or for more
    VZÄ than the call offers."""
    current = _lock(call)
    received = submitted_at or timezone.now()
    if current.status != CallStatus.PUBLISHED or current.published_on is None:
        raise ValidationError(_("This call is not open for submissions."))
    if received > current.deadline:
        raise ValidationError(
            {
                "submitted_at": _(
                    "The deadline passed on %(deadline)s; the submission cannot be accepted."
                )
                % {"deadline": timezone.localtime(current.deadline).strftime("%d.%m.%Y %H:%M")}
            }
        )
    if timezone.localtime(received).date() < current.published_on:
        raise ValidationError({"submitted_at": _("The call was not yet published at that time.")})
    if traeger.kind != OrgKind.TRAEGER:
        raise ValidationError({"traeger": _("Only welfare agencies can submit.")})
    _check_region(current.region, [traeger], "traeger")
    if current.submissions.filter(traeger=traeger).exists():
        raise ValidationError(
            {"traeger": _("%(org)s has already submitted.") % {"org": traeger.name}}
        )
    offered_total = total_vze(current)
    if vze_offered <= 0 or vze_offered > offered_total:
        raise ValidationError(
            {
                "vze_offered": _("Offer between 0.01 and the %(vze)s VZÄ of the call.")
                % {"vze": decimal_de(offered_total)}
            }
        )
    submission = Submission(
        call=current,
        traeger=traeger,
        submitted_at=received,
        vze_offered=vze_offered,
        summary=summary,
        created_by=actor_user(acting_user),
    )
    submission.full_clean(exclude=["created_by"])
    submission.save()
    record(
        EventType.SUBMISSION_RECEIVED,
        actor=acting_user,
        subject=submission,
        organisation=traeger,
        extra={"call": current.code, "vze_offered": str(vze_offered)},
    )
    for checked in documents:  # checked against the deadline above
        attach_submission_document(submission, acting_user=acting_user, checked=checked)
    return submission


@transaction.atomic
def attach_submission_document(
    submission: Submission,
    *,
    acting_user: Actor,
    checked: CheckedFile,
    by_agency: bool = False,
    now: dt.datetime | None = None,
) -> SubmissionDocument:
    """Store an already checked document (see ``uploads.check_document``) under MEDIA_ROOT.

    The agency itself (``by_agency``) may add documents only until the deadline; the call's
    managers may add what reached them in time on paper until the decision."""
    if submission.call.status == CallStatus.DECIDED:
        raise ValidationError(_("The call has been decided; documents can no longer be added."))
    if by_agency and (now or timezone.now()) > submission.call.deadline:
        raise ValidationError(_("The deadline has passed; documents can no longer be added."))
    document = SubmissionDocument(submission=submission)
    document.store(checked, uploaded_by=actor_user(acting_user))
    record(
        EventType.SUBMISSION_DOCUMENT_ATTACHED,
        actor=acting_user,
        subject=submission,
        organisation=submission.traeger,
        extra={"document": document.code, "size": checked.size},
    )
    return document


def record_submission_document_download(
    document: SubmissionDocument, *, acting_user: Actor
) -> None:
    """Reading a submission document is a disclosure: an audit event (own transaction)."""
    record(
        EventType.SUBMISSION_DOCUMENT_READ,
        actor=acting_user,
        subject=document.submission,
        organisation=document.submission.traeger,
        extra={"document": document.code},
    )


@transaction.atomic
def withdraw_submission(submission: Submission, *, acting_user: Actor) -> Submission:
    """The agency withdraws (as in Coesfeld 2022); possible until the call is decided."""
    current = Submission.objects.select_for_update().select_related("call").get(pk=submission.pk)
    if current.call.status == CallStatus.DECIDED:
        raise ValidationError(_("The call has been decided; the submission cannot be withdrawn."))
    if current.status == SubmissionStatus.WITHDRAWN:
        raise ValidationError(_("The submission has already been withdrawn."))
    current.status = SubmissionStatus.WITHDRAWN
    current.save(update_fields=["status"])
    record(
        EventType.SUBMISSION_WITHDRAWN,
        actor=acting_user,
        subject=current,
        organisation=current.traeger,
        extra={"call": current.call.code},
    )
    return current


@transaction.atomic
def score_submission(
    submission: Submission,
    *,
    acting_user: User,
    points: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    now: dt.datetime | None = None,
) -> list[Score]:
    """The acting user's points (criterion id → points) for every criterion of the call.

    Scoring opens when the deadline has passed and ends with the decision; an evaluator may
    revise their own points until then. Points must lie on the call's scale."""
    call = _lock(submission.call)
    current = Submission.objects.get(pk=submission.pk)
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(_("Only submissions of an open call can be scored."))
    if (now or timezone.now()) <= call.deadline:
        raise ValidationError(_("Scoring starts when the deadline has passed."))
    if current.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(_("A withdrawn submission is not scored."))
    criteria = list(call.criteria.all())
    errors: dict[str, list[str]] = {}
    for criterion in criteria:
        given = points.get(criterion.pk)
        if given is None:
            errors.setdefault(f"points_{criterion.pk}", []).append(_("Enter points."))
        elif not 0 <= given <= call.scale_max:
            errors.setdefault(f"points_{criterion.pk}", []).append(
                _("The points must lie between 0 and %(max)s.") % {"max": call.scale_max}
            )
    if set(points) - {c.pk for c in criteria}:
        errors.setdefault("__all__", []).append(_("Points were given for an unknown criterion."))
    if errors:
        raise ValidationError(errors)
    comments = comments or {}
    scores = []
    for criterion in criteria:
        score, _created = Score.objects.update_or_create(
            submission=current,
            criterion=criterion,
            evaluator=acting_user,
            defaults={
                "points": points[criterion.pk],
                "comment": comments.get(criterion.pk, ""),
            },
        )
        scores.append(score)
    record(
        EventType.SUBMISSION_SCORED,
        actor=acting_user,
        subject=current,
        organisation=call.issuer,
        extra={"call": call.code, "criteria": len(criteria)},
    )
    return scores


def missing_scores(call: Call) -> list[str]:
    """Names of active submissions that do not yet have enough evaluators on every criterion."""
    criteria = list(call.criteria.all())
    evaluators: dict[tuple[int, int], set[int]] = defaultdict(set)
    for submission_id, criterion_id, evaluator_id in Score.objects.filter(
        submission__call=call
    ).values_list("submission_id", "criterion_id", "evaluator_id"):
        evaluators[(submission_id, criterion_id)].add(evaluator_id)
    missing = []
    for submission in call.submissions.filter(status=SubmissionStatus.SUBMITTED).select_related(
        "traeger"
    ):
        if any(len(evaluators[(submission.pk, c.pk)]) < call.min_evaluators for c in criteria):
            missing.append(submission.traeger.name)
    return missing


def _months_in_year(start: dt.date, end: dt.date, year: int) -> int:
    """Calendar months of ``year`` that the period touches."""
    first = max(start, dt.date(year, 1, 1))
    last = min(end, dt.date(year, 12, 31))
    if last < first:
        return 0
    return (last.year - first.year) * 12 + last.month - first.month + 1


def pro_rata_amounts(call: Call, vze: Decimal) -> list[tuple[int, Decimal, Decimal]]:
    """(year, funding, top-up) for ``vze`` over the call's period, pro rata by month."""
    lines = []
    for year in range(call.period_start.year, call.period_end.year + 1):
        months = _months_in_year(call.period_start, call.period_end, year)
        share = vze * months / 12
        lines.append(
            (
                year,
                (call.funding_per_vze * share).quantize(CENT, rounding=ROUND_HALF_UP),
                (call.top_up_per_vze * share).quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
    return lines


@transaction.atomic
def decide_call(
    call: Call,
    *,
    acting_user: Actor,
    decision: str,
    reason: str,
    decided_on: dt.date,
    decided_by: str = "",
    awards: Mapping[Position, Submission] | None = None,
    now: dt.datetime | None = None,
) -> Call:
    """Record the decision. ``awards`` maps each awarded post to the winning submission.

    - award: every post offered is awarded; partial award: some, not all; no award and
      withdrawn: none.
    - Before any award, every active submission must have been scored on every criterion by at
      least ``min_evaluators`` different people (four-eyes rule).
    - Each awarded agency gets one pass-through contract (issuer → agency) for its posts, and each
      post moves to the agency with a staffing decision dated ``decided_on``.
    """
    current = _lock(call)
    awards = dict(awards or {})
    _check_decision(current, decision, reason, decided_on)
    offered = list(current.positions.select_related("home"))
    if decision in (CallDecision.AWARD, CallDecision.PARTIAL):
        if (now or timezone.now()) <= current.deadline:
            raise ValidationError(_("Posts can only be awarded after the deadline."))
        _check_four_eyes(current)
        _check_awards(current, decision, offered, awards)
    elif awards:
        raise ValidationError({"awards": _("No posts are awarded with this decision.")})
    by_submission: dict[int, list[Position]] = defaultdict(list)
    winners: dict[int, Submission] = {}
    for position, submission in awards.items():
        by_submission[submission.pk].append(position)
        winners[submission.pk] = submission
    for submission_id, posts in by_submission.items():
        _check_offered_vze(winners[submission_id], posts)

    agreements: dict[int, Agreement] = {
        submission_id: _pass_on(
            current, winners[submission_id], posts, acting_user, decided_on, decided_by
        )
        for submission_id, posts in by_submission.items()
    }
    for submission in current.submissions.filter(status=SubmissionStatus.SUBMITTED):
        submission.agreement = agreements.get(submission.pk)
        submission.status = (
            SubmissionStatus.AWARDED if submission.agreement else SubmissionStatus.NOT_AWARDED
        )
        submission.save(update_fields=["status", "agreement"])

    current.status = CallStatus.DECIDED
    current.decision, current.decision_reason = decision, reason.strip()
    current.decided_on, current.decided_by = decided_on, decided_by
    current.version += 1
    current.full_clean()
    current.save()
    record(
        EventType.CALL_DECIDED,
        actor=acting_user,
        subject=current,
        organisation=current.issuer,
        extra={
            "decision": decision,
            "awarded": sorted(p.code for p in awards),
            "agreements": sorted(a.code for a in agreements.values()),
        },
    )
    return current


def _check_decision(call: Call, decision: str, reason: str, decided_on: dt.date) -> None:
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(_("Only a published call that is not yet decided can be decided."))
    if decision not in CallDecision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    if not reason.strip():
        raise ValidationError({"decision_reason": _("Give the reason for the decision.")})
    if call.published_on is not None and decided_on < call.published_on:
        raise ValidationError({"decided_on": _("The decision cannot precede the publication.")})


def _check_four_eyes(call: Call) -> None:
    missing = missing_scores(call)
    if missing:
        raise ValidationError(
            _(
                "Four-eyes rule: every submission must be scored on every criterion by at "
                "least %(n)s people before a decision. Missing for: %(names)s."
            )
            % {"n": call.min_evaluators, "names": ", ".join(missing)}
        )


def _check_awards(
    call: Call, decision: str, offered: list[Position], awards: Mapping[Position, Submission]
) -> None:
    if not awards:
        raise ValidationError({"awards": _("Choose the posts that are awarded.")})
    if any(p.pk not in {o.pk for o in offered} for p in awards):
        raise ValidationError({"awards": _("Only posts offered in this call can be awarded.")})
    if decision == CallDecision.AWARD and len(awards) != len(offered):
        raise ValidationError(
            {"awards": _("An award covers every post offered; otherwise choose partial award.")}
        )
    if decision == CallDecision.PARTIAL and len(awards) == len(offered):
        raise ValidationError(
            {"awards": _("Every post is awarded; choose award rather than partial award.")}
        )
    for submission in awards.values():
        if submission.call_id != call.pk or submission.status != SubmissionStatus.SUBMITTED:
            raise ValidationError(
                {"awards": _("Only active submissions of this call can win posts.")}
            )


def _check_offered_vze(submission: Submission, posts: list[Position]) -> None:
    vze = sum((p.vze for p in posts), Decimal(0))
    if vze > submission.vze_offered:
        raise ValidationError(
            {
                "awards": _("%(org)s offered %(offered)s VZÄ but would receive %(vze)s VZÄ.")
                % {
                    "org": submission.traeger.name,
                    "offered": decimal_de(submission.vze_offered),
                    "vze": decimal_de(vze),
                }
            }
        )


def _pass_on(
    call: Call,
    submission: Submission,
    posts: list[Position],
    acting_user: Actor,
    decided_on: dt.date,
    decided_by: str,
) -> Agreement:
    """Contract with the winning agency, the posts moved to it, a staffing decision each."""
    vze = sum((p.vze for p in posts), Decimal(0))
    agreement = create_agreement(
        acting_user=acting_user,
        grantor=call.issuer,
        recipient=submission.traeger,
        kind=AgreementKind.CONTRACT,
        title=_("Pass-through contract %(call)s – %(org)s")
        % {"call": call.title, "org": submission.traeger.name},
        signed_on=decided_on,
        period_start=call.period_start,
        period_end=call.period_end,
        amounts=pro_rata_amounts(call, vze),
        positions=posts,
    )
    rationale = _("Awarded in the call for expressions of interest “%(call)s” (%(date)s).") % {
        "call": call.title,
        "date": date_de(decided_on),
    }
    for position in posts:
        Award.objects.create(submission=submission, position=position)
        update_position(
            position,
            acting_user=acting_user,
            expected_version=position.version,
            employer_type=EmployerType.TRAEGER,
            home=submission.traeger,
            unit=None,  # the town's unit no longer applies
        )
        record_staffing_decision(
            position,
            acting_user=acting_user,
            decided_on=decided_on,
            employer_type=EmployerType.TRAEGER,
            traeger=submission.traeger,
            rationale=rationale,
            tasks=position.tasks,
            decided_by=decided_by,
        )
    return agreement
