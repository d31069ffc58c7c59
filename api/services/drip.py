"""Drip: long-term follow-up texts from a campaign (seed 000), one job per step.

A lead joins its script's drip (``timers: drip:``) when it goes cold, or when
it reaches an Appointment or an Engagement; a coordinator may enrol selected
leads in any campaign. Each step is a ``drip`` job due at the campaign's
offset from enrolment (on the lead's clock); when it runs, the step's text is
queued like any other outbound (so quiet hours, caps and the dead check apply
at send time) and the next step's job is written in the same transaction.

It stops when an agent stops it, when the contact is dead, or when a lead who
had gone cold replies (the conversation is active again: the script takes
over; going cold again starts it afresh). An Appointment or Engagement lead
keeps its drip until an agent stops it, replies or not. A drip needs a
consent record (COMPLIANCE.md #9).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from adapters.campaign_files import FileCampaignStore
from adapters.campaign_files import default_root as campaigns_root
from adapters.storage import audit
from adapters.storage.orm import Campaign as CampaignRow
from adapters.storage.orm import ConsentRecord, Contact, ConversationRow, Enrollment, User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import EnrollmentState
from api.container import Container
from api.services.locking import lock
from api.services.worker import ClaimedJob, PermanentJobError
from isa_engine.campaign import Campaign, due_at
from isa_engine.conversation import Conversation
from isa_engine.errors import UnknownScript
from isa_engine.model import Status
from isa_engine.persona import check as persona_check
from isa_engine.policy.zones import lead_now

log = logging.getLogger("isa.drip")

DRIP = "drip"
"""The kind of a drip step's job (payload ``{"enrollment_id": …, "step": …}``)."""


NO_CONSENT = "no consent record: a drip needs prior express written consent"


def has_consent(uow: SqlAlchemyUnitOfWork, contact_id: int) -> bool:
    """Whether the contact's prior express written consent is on record (COMPLIANCE.md #9)."""
    found = uow.session.scalar(
        select(ConsentRecord.id).where(ConsentRecord.contact_id == contact_id).limit(1)
    )
    return found is not None


def check_drips(container: Container) -> None:
    """Every script's ``timers: drip:`` names a campaign on disk (UnknownScript otherwise)."""
    store = campaigns_of(container)
    for versions in container.scripts.load().values():
        for script in versions.values():
            if script.timers.drip is not None:
                try:
                    store.get(script.timers.drip)
                except UnknownScript as e:
                    raise UnknownScript(f"{script.key} timers.drip: {e}") from None


def campaigns_of(container: Container) -> FileCampaignStore:
    """The campaign files (``scripts/campaigns``), loaded and validated once."""
    found = container.extras.get("campaigns")
    if isinstance(found, FileCampaignStore):
        return found
    store = FileCampaignStore(container.scripts.root / "campaigns")
    if not store.root.is_dir():
        store = FileCampaignStore(campaigns_root())
    store.load()
    container.extras["campaigns"] = store
    return store


def enrol(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    contact: Contact,
    row: ConversationRow | None,
    campaign_name: str,
    now: datetime,
    *,
    why: str,
) -> Enrollment | None:
    """Enrol ``contact`` and write its first step's job; None (and audited) when refused.

    An enrolment an agent stopped is never restarted here; one that ended on
    its own (a reply, the last step) starts again from its first step.
    """
    campaign = campaigns_of(container).get(campaign_name)
    refusal = None
    if contact.dead:
        refusal = "contact is dead"
    elif not has_consent(uow, contact.id):
        refusal = NO_CONSENT
    row_of_campaign = campaign_row(uow, campaign, now)
    enrolment = uow.session.scalar(
        select(Enrollment).where(
            Enrollment.contact_id == contact.id, Enrollment.campaign_id == row_of_campaign.id
        )
    )
    if refusal is None and enrolment is not None:
        if enrolment.state is EnrollmentState.ACTIVE:
            return enrolment  # already dripping
        if enrolment.stopped_by_id is not None:
            refusal = "an agent stopped this lead's drip"
    if refusal is not None:
        audit.record(
            uow.session,
            actor_id=None,
            action="drip.refused",
            subject=("contact", contact.id),
            at=now,
            campaign=campaign.key,
            reason=refusal,
            why=why,
        )
        return None
    local = lead_now(now, contact.phone, contact.timezone)
    if enrolment is None:
        enrolment = Enrollment(contact_id=contact.id, campaign_id=row_of_campaign.id)
        uow.session.add(enrolment)
    enrolment.state, enrolment.step, enrolment.enrolled_at = EnrollmentState.ACTIVE, 0, local
    enrolment.stopped_at, enrolment.stopped_by_id = None, None
    uow.session.flush()
    schedule_next(uow, enrolment, campaign, row.id if row else None, local, now=now)
    audit.record(
        uow.session,
        actor_id=None,
        action="drip.enrol",
        subject=("contact", contact.id),
        at=now,
        campaign=campaign.key,
        why=why,
    )
    return enrolment


def schedule_next(
    uow: SqlAlchemyUnitOfWork,
    enrolment: Enrollment,
    campaign: Campaign,
    conversation_id: int | None,
    enrolled_at: datetime,
    *,
    now: datetime,
) -> datetime | None:
    """Write the job of the enrolment's next step at ``now``; when it is due (None: the
    campaign ended)."""
    due = due_at(campaign, enrolled_at, enrolment.step)
    if due is None:
        enrolment.state = EnrollmentState.STOPPED
        return None
    payload = {
        "enrollment_id": enrolment.id,
        "step": enrolment.step,
        "since": enrolled_at.astimezone(UTC).isoformat(),
    }
    uow.jobs.add(DRIP, due, payload, at=now, conversation_id=conversation_id)
    return due


def resume(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    enrolment: Enrollment,
    contact: Contact,
    conversation_id: int | None,
) -> datetime | None:
    """Write the job of a (re)started enrolment's next step; when it is due."""
    row = uow.session.get(CampaignRow, enrolment.campaign_id)
    assert row is not None  # foreign key
    campaign = campaigns_of(container).get(f"{row.name}@{row.version}")
    enrolled_at = lead_now(enrolment.enrolled_at, contact.phone, contact.timezone)
    now = container.clock()
    return schedule_next(uow, enrolment, campaign, conversation_id, enrolled_at, now=now)


def run_drip_job(container: Container, job: ClaimedJob) -> datetime | None:
    """Queue one drip step's text (its send job goes with it) and schedule the next step."""
    enrolment_id, step = job.payload.get("enrollment_id"), job.payload.get("step")
    if not isinstance(enrolment_id, int) or not isinstance(step, int):
        raise PermanentJobError(f"drip job {job.id}: bad payload {job.payload!r}")
    now = container.clock()
    with container.uow() as uow:
        enrolment = uow.session.get(Enrollment, enrolment_id)
        if enrolment is None or enrolment.state is not EnrollmentState.ACTIVE:
            return None  # stopped meanwhile
        since = enrolment.enrolled_at.astimezone(UTC).isoformat()
        if enrolment.step != step or job.payload.get("since", since) != since:
            return None  # a step that ran already, or a job from an earlier run of the drip
        locked = lock(container, uow, enrolment.contact_id)
        contact = uow.session.get(Contact, enrolment.contact_id, populate_existing=True)
        assert contact is not None  # foreign key
        stored = uow.session.get(CampaignRow, enrolment.campaign_id)
        assert stored is not None  # foreign key
        campaign = campaigns_of(container).get(f"{stored.name}@{stored.version}")
        enrolled_at = lead_now(enrolment.enrolled_at, contact.phone, contact.timezone)
        stop = _why_stop(contact, locked.conversation if locked else None)
        if stop is not None:
            enrolment.state, enrolment.stopped_at = EnrollmentState.STOPPED, now
            audit.record(
                uow.session,
                actor_id=None,
                action="drip.stop",
                subject=("contact", contact.id),
                at=now,
                campaign=campaign.key,
                reason=stop,
            )
            uow.commit()
            return None
        template = campaign.text(step)
        if template is None:  # pragma: no cover - schedule_next writes no job past the end
            enrolment.state = EnrollmentState.STOPPED
            uow.commit()
            return None
        row = locked.row if locked else None
        agent = uow.session.get(User, row.agent_id) if row and row.agent_id else None
        first = (agent.first_name or agent.name.split()[0]) if agent else "your agent"
        body = template.render((contact.first_name or "there").split()[0], first, {})
        verdict = persona_check(body, first, agent.last_name if agent else None)
        if not verdict.ok:  # the file passed the guard; a name filled in may not
            raise PermanentJobError(f"the guard refuses drip text: {'; '.join(verdict.reasons)}")
        uow.messages.add_outbound(
            f"drip:{enrolment.id}:{step}",
            contact_id=contact.id,
            body=body,
            at=now,
            conversation_id=row.id if row else None,
            sent_by="drip",
            script_step=f"drip:{campaign.key}:{step + 1}",
        )
        enrolment.step = step + 1
        schedule_next(uow, enrolment, campaign, row.id if row else None, enrolled_at, now=now)
        uow.commit()
    return None


def run_enrol_job(container: Container, job: ClaimedJob) -> datetime | None:
    """Enrol the contact in its conversation's script drip (an Appointment or Engagement)."""
    contact_id = job.payload.get("contact_id")
    if not isinstance(contact_id, int):
        raise PermanentJobError(f"enrol job {job.id}: bad payload {job.payload!r}")
    now = container.clock()
    with container.uow() as uow:
        locked = lock(container, uow, contact_id)
        if locked is None or locked.script.timers.drip is None:
            return None
        enrol(
            container,
            uow,
            locked.contact,
            locked.row,
            locked.script.timers.drip,
            now,
            why=str(job.payload.get("why", "")),
        )
        uow.commit()
    return None


def _why_stop(contact: Contact, conv: Conversation | None) -> str | None:
    if contact.dead or (conv is not None and conv.status is Status.DEAD):
        return "contact is dead"
    return None


def stop_on_reply(uow: SqlAlchemyUnitOfWork, contact_id: int, row_id: int, now: datetime) -> int:
    """A cold lead replied: its drip stops (the script has the conversation again); how many.

    Not an agent's stop: going cold again starts the drip afresh.
    """
    stopped = 0
    for enrolment in uow.session.scalars(
        select(Enrollment).where(
            Enrollment.contact_id == contact_id, Enrollment.state == EnrollmentState.ACTIVE
        )
    ):
        enrolment.state, enrolment.stopped_at = EnrollmentState.STOPPED, now
        stopped += 1
    if stopped:
        uow.jobs.cancel(row_id, (DRIP,))
        audit.record(
            uow.session,
            actor_id=None,
            action="drip.stop",
            subject=("contact", contact_id),
            at=now,
            reason="the lead replied",
        )
    return stopped


def campaign_row(uow: SqlAlchemyUnitOfWork, campaign: Campaign, now: datetime) -> CampaignRow:
    """The database row enrolments point at for ``campaign``'s version (made on first use)."""
    found = uow.session.scalar(
        select(CampaignRow).where(
            CampaignRow.name == campaign.name, CampaignRow.version == campaign.version
        )
    )
    if found is None:
        found = CampaignRow(name=campaign.name, version=campaign.version, created_at=now)
        uow.session.add(found)
        uow.session.flush()
    return found
