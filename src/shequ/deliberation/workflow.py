"""The rule tables of deliberation (core/workflow.py): one per workflow. Services check them before
they write, pages draw their buttons and forms from them, the API has one endpoint per action."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shequ.core.workflow import Action, Field, Workflow
from shequ.deliberation import resolvers
from shequ.deliberation.models import Base, MeetingStatus

DRAFT, NOTIFIED, IN_SESSION, CLOSED = (
    MeetingStatus.DRAFT.value,
    MeetingStatus.NOTIFIED.value,
    MeetingStatus.IN_SESSION.value,
    MeetingStatus.CLOSED.value,
)
# The agenda can change until the meeting closes; a closed or cancelled meeting is a record.
AGENDA_OPEN = (DRAFT, NOTIFIED, IN_SESSION)


def _bases() -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in Base.choices]


MEETING = Workflow(
    "meeting",
    [
        Action(
            "notify",
            _("Send the notice"),
            permission="manage",
            sources=(DRAFT,),
            target=NOTIFIED,
            style="primary",
        ),
        Action(
            "open",
            _("Open the meeting"),
            permission="manage",
            sources=(NOTIFIED,),
            target=IN_SESSION,
            style="primary",
        ),
        Action(
            "close",
            _("Close the meeting"),
            permission="manage",
            sources=(IN_SESSION,),
            target=CLOSED,
            confirm=_("Close the meeting? Attendance and votes can no longer be recorded."),
        ),
        Action(
            "cancel",
            _("Cancel the meeting"),
            permission="manage",
            sources=(DRAFT, NOTIFIED),
            target=MeetingStatus.CANCELLED.value,
            style="danger",
            confirm=_("Cancel the meeting? Its venue booking is released."),
        ),
        Action(
            "add_topic",
            _("Put a topic on the agenda"),
            permission="manage",
            sources=AGENDA_OPEN,
            fields=(
                Field("title", _("Title"), required=True, max_length=200),
                Field("description", _("Description"), kind="textarea", max_length=4000),
                Field(
                    "appeal",
                    _("From appeal no."),
                    kind="ref",
                    resolve=resolvers.appeal,
                    help=_("The appeal's number, when the topic comes from a resident's appeal."),
                ),
                Field("participants_base", _("Who takes part"), kind="choice", choices=_bases),
            ),
        ),
        Action(
            "attend",
            _("Record attendance"),
            permission="attend",
            sources=(IN_SESSION,),
            fields=(
                Field("resident", _("Resident no."), kind="ref", required=True, resolve=resolvers.resident),
                Field("proxy_name", _("Came by proxy (name)"), max_length=50),
                Field("is_delegate", _("Group delegate"), kind="bool"),
            ),
        ),
    ],
    state_of=lambda m: m.status,
    state_label=lambda m: str(m.get_status_display()),
)
