"""Background jobs of the ground floor: key rotation (decisions D-066). Exports have theirs in
kim/core/exports.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kim.accounts.access import can_rotate_keys
from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.crypto import (
    DecryptionError,
    RotationCount,
    field_keys,
    rotate_model,
    rotation_models,
)
from kim.core.jobs import JobError, JobRun, job_task, owner_context
from kim.core.models import Actor


def rotation_report(counts: list[RotationCount], *, dry_run: bool) -> str:
    """The lines ``kim rotate_field_keys`` prints: one per model and a total."""
    verb = "to re-encrypt" if dry_run else "re-encrypted"
    lines = [f"{c.model}: {c.rows} rows, {c.rotated} {verb}" for c in counts]
    total = sum(c.rotated for c in counts)
    suffix = " (dry run, nothing written)" if dry_run else ""
    lines.append(f"Total: {total} rows {verb} in {len(counts)} models{suffix}")
    return "".join(f"{line}\n" for line in lines)


def record_rotation(acting_user: Actor, counts: list[RotationCount]) -> None:
    """One event per (non-dry) rotation, from the web or the command line: counts per model,
    the number of configured keys – never a key."""
    record(
        EventType.KEYS_ROTATED,
        actor=acting_user,
        subject_type="core.field_keys",
        extra={
            "keys": len(field_keys()),
            "rows": sum(c.rows for c in counts),
            "rotated": sum(c.rotated for c in counts),
            "models": {c.model: c.rotated for c in counts if c.rotated},
        },
    )


def _message(counts: list[RotationCount], *, dry_run: bool) -> str:
    values = {
        "rotated": sum(c.rotated for c in counts),
        "rows": sum(c.rows for c in counts),
        "models": len(counts),
        "detail": ", ".join(f"{c.model} {c.rotated}" for c in counts if c.rotated) or "–",
    }
    if dry_run:
        return (
            _(
                "Dry run: %(rotated)s of %(rows)s rows with encrypted values in %(models)s "
                "models are under an older key (%(detail)s). Nothing was written."
            )
            % values
        )
    return (
        _(
            "%(rotated)s of %(rows)s rows with encrypted values in %(models)s models have been "
            "re-encrypted with the newest key (%(detail)s)."
        )
        % values
    )


@job_task
def rotate_keys_job(run: JobRun, dry_run: bool) -> None:
    """Model by model (the job's progress), batch by batch (``rotate_model``: idempotent, each
    batch its own transaction), then the audit event; a dry run counts and writes nothing."""
    if not can_rotate_keys(owner_context(run)):
        raise PermissionDenied
    models = rotation_models()
    run.progress(0, len(models))
    counts = []
    for done, model in enumerate(models, start=1):
        try:
            counts.append(rotate_model(model, dry_run=dry_run))
        except DecryptionError as exc:
            raise JobError(
                _(
                    "Stopped: a stored value cannot be decrypted with the configured keys "
                    "(%(error)s). The models before it are done."
                )
                % {"error": exc}
            ) from exc
        run.progress(done)
    report = rotation_report(counts, dry_run=dry_run)
    run.attach(report.encode("utf-8"), "schluesselrotation.txt", "text/plain; charset=utf-8")
    if not dry_run:
        record_rotation(run.owner, counts)
    run.finish(_message(counts, dry_run=dry_run))
