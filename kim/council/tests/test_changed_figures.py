"""A narrative written against old figures is marked when the figures under it change, and the
release asks for a confirmation for each such answer (decisions D-054).

The story of the issue: the answer to "Haben bereits Gespräche mit den freien Trägern
stattgefunden?" says "Die Gespräche … dauern an"; later a talk ends with an agreement, and
the draft would print the old sentence next to "1 mit einer Einigung".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kim.audit.models import AuditEvent, EventType
from kim.council.actions import reports
from kim.council.models import Report, ReportRelease, ReportSection
from kim.council.tests import factories as f
from kim.council.tests.test_reports import DE, _demo, _main, _new_report, _talk

pytestmark = pytest.mark.django_db

MARK = "Zahlen seit der letzten Bearbeitung geändert – Text prüfen"
REFUSAL = (
    "Bitte bestätigen Sie, dass Sie den Text der Antwort auf Frage 1 mit den geänderten Zahlen "
    "abgeglichen haben."
)
NARRATIVE = "Die Gespräche mit den freien Trägern dauern an."


def _answered(client: Any) -> tuple[Report, ReportSection]:
    """A new draft whose answer 1 (the talks block) was written by ``siegen`` just now."""
    report = _new_report()
    question = report.motion.questions.order_by("number")[0]
    response = client.post(
        f"/rat/berichte/{report.code}/fragen/{question.code}/",
        {"version": report.version, "narrative": NARRATIVE, "block_keys": ["talks"]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    return report, ReportSection.objects.get(report=report, question=question)


def _row(page: str, number: int) -> str:
    start = page.index(f'id="answer-{number}"')
    return page[start : page.index("</tr>", start)]


def test_changed_figures_mark_the_answer_and_need_a_confirmation(login_as) -> None:
    siegen, koordination = login_as("siegen"), login_as("koordination")
    report, section = _answered(siegen)
    assert len(section.figures_fingerprint) == 64  # stored with the narrative
    draft_url = f"/rat/berichte/{report.code}/"
    release_url = f"/rat/berichte/{report.code}/freigeben/"
    assert MARK not in _main(koordination.get(draft_url, **DE))

    _talk(report.as_of - dt.timedelta(days=3))  # a talk that ended with an agreement

    draft = _main(koordination.get(draft_url, **DE))
    assert MARK in _row(draft, 1) and MARK not in _row(draft, 2)
    assert 'id="report-q-1-changed"' in draft  # and in the composed draft, under question 1
    assert 'id="figures-changed"' in draft  # the notice above the table
    page = _main(koordination.get(release_url, **DE))
    assert 'name="confirm_1"' in page and 'name="confirm_2"' not in page

    # Without the confirmation: the error next to the checkbox, nothing released.
    refused = koordination.post(release_url, {"version": report.version}, **DE)
    assert refused.status_code == 200
    main = _main(refused)
    error = main[main.index('id="id_confirm_1_error"') :]
    assert REFUSAL in error[: error.index("</div>")]  # next to the checkbox
    assert not ReportRelease.objects.filter(report=report).exists()
    assert not AuditEvent.objects.filter(
        event_type=EventType.REPORT_RELEASED, subject_code=report.code
    ).exists()

    # With it: released, the confirmation audited, and the mark gone (the text was checked).
    response = koordination.post(release_url, {"version": report.version, "confirm_1": "on"})
    assert response.status_code == 302
    release = ReportRelease.objects.get(report=report)
    event = AuditEvent.objects.get(event_type=EventType.REPORT_RELEASED, subject_code=report.code)
    assert event.extra["confirmed_sections"] == ["1"]
    assert release.snapshot["sections"][0]["narrative"] == NARRATIVE
    assert MARK not in _main(koordination.get(draft_url, **DE))


def test_saving_the_answer_again_clears_the_mark(login_as) -> None:
    siegen = login_as("siegen")
    report, section = _answered(siegen)
    _talk(report.as_of - dt.timedelta(days=3))
    assert MARK in _main(siegen.get(f"/rat/berichte/{report.code}/", **DE))
    reports.update_section(
        report,
        section.question,
        acting_user=f.user("siegen"),
        expected_version=report.version,
        narrative="Mit einem Träger wurde eine Einigung erzielt.",
        block_keys=["talks"],
    )
    assert MARK not in _main(siegen.get(f"/rat/berichte/{report.code}/", **DE))


def test_release_action_refuses_unconfirmed_changed_answers(login_as) -> None:
    report, _section = _answered(login_as("siegen"))
    _talk(report.as_of - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        reports.release_report(
            report, acting_user=f.user("koordination"), expected_version=report.version
        )
    assert list(refused.value.error_dict) == ["confirm_1"]
    assert not ReportRelease.objects.filter(report=report).exists()
    release = reports.release_report(
        report,
        acting_user=f.user("koordination"),
        expected_version=report.version,
        confirmed_sections=["1"],
    )
    assert release.number == 1


def test_an_answer_without_text_or_without_blocks_is_never_marked(login_as) -> None:
    siegen = login_as("siegen")
    report = _new_report()
    question = report.motion.questions.order_by("number")[0]
    siegen.post(
        f"/rat/berichte/{report.code}/fragen/{question.code}/",
        {"version": report.version, "narrative": "Nur Text, keine Zahlen.", "block_keys": []},
    )
    _talk(report.as_of - dt.timedelta(days=3))
    assert MARK not in _main(siegen.get(f"/rat/berichte/{report.code}/", **DE))


def test_demo_draft_marks_the_answers_written_for_2022(login_as) -> None:
    """The demo's answers were written as of 31.08.2022; the draft now shows today's figures."""
    report = _demo()
    draft = _main(login_as("koordination").get(f"/rat/berichte/{report.code}/", **DE))
    for number in (1, 2, 3):
        assert MARK in _row(draft, number)
    page = _main(login_as("koordination").get(f"/rat/berichte/{report.code}/freigeben/", **DE))
    assert all(f'name="confirm_{n}"' in page for n in (1, 2, 3))


def test_an_answer_saved_before_fingerprints_counts_as_changed(login_as) -> None:
    report, section = _answered(login_as("siegen"))
    ReportSection.objects.filter(pk=section.pk).update(figures_fingerprint="")
    draft = _main(login_as("koordination").get(f"/rat/berichte/{report.code}/", **DE))
    assert MARK in _row(draft, 1)
