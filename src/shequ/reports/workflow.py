"""The rule table of handing in a community's monthly report to its street (issue 16):
draft → submitted → received, or → returned (with a reason) and handed in again. The service
(services.py: submission_act), the page's buttons, the API's endpoints and the permission matrix's
probes all read it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shequ.core.workflow import Action, Field, Workflow
from shequ.reports.models import ReportSubmission, SubmissionStatus

S = SubmissionStatus


def _state_label(submission: ReportSubmission) -> str:
    return str(S(submission.status).label)


SUBMISSION = Workflow(
    "report_submission",
    [
        Action(
            "submit",
            _("Hand in to the street"),
            permission="submit",
            sources=(S.DRAFT, S.RETURNED),
            target=S.SUBMITTED,
            fields=(Field("note", _("Note for the street (optional)"), max_length=500),),
            style="primary",
            help=_("The report is the month's figures as the records hold them now; nothing is typed."),
        ),
        Action(
            "receive",
            _("Receive"),
            permission="review",
            sources=(S.SUBMITTED,),
            target=S.RECEIVED,
            style="primary",
        ),
        Action(
            "return",
            _("Return with a reason"),
            permission="review",
            sources=(S.SUBMITTED,),
            target=S.RETURNED,
            fields=(Field("reason", _("Reason"), kind="textarea", required=True, max_length=500),),
            style="danger",
            button=_("Return"),
        ),
    ],
    state_of=lambda s: str(s.status),
    state_label=_state_label,
)
