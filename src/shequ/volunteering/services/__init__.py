"""Every write of volunteering. Each checks access, validates, writes and audits in one transaction.
`by=None` is the operator at the command line (the demo). Sign-up and the places of an activity are
decided under a lock on the activity's row, venue bookings under a lock on the venue's row, so that two
concurrent requests cannot both take the last place or the same hour of a room (PostgreSQL)."""

from shequ.volunteering.services.activities import (
    EDITABLE,
    ShiftPlan,
    activity_cancel,
    activity_create,
    activity_finish,
    activity_publish,
    activity_update,
)
from shequ.volunteering.services.attendance import (
    AlreadyDone,
    ScanResult,
    activity_of_token,
    attendance_check_in,
    attendance_check_in_all,
    attendance_check_out,
    attendance_scan,
    qr_token,
)
from shequ.volunteering.services.attendees import attendee_add, attendee_add_group, attendee_remove
from shequ.volunteering.services.briefs import (
    brief_save,
)
from shequ.volunteering.services.common import (
    CHECK_IN_OPENS,
    CHECK_OUT_CLOSES,
    ID_CONTEXT,
    MAX_CAPACITY,
    MAX_DURATION,
    MAX_MINUTES,
    PHONE_CONTEXT,
    QR_MAX_AGE,
    QR_SALT,
    REPEAT_SCAN,
)
from shequ.volunteering.services.hours import (
    hours_confirm,
    hours_confirm_all,
    hours_correct,
    points_balance,
    points_for,
    points_redeem,
)
from shequ.volunteering.services.signups import (
    signup_cancel,
    signup_create,
)
from shequ.volunteering.services.teams import (
    team_add_member,
    team_create,
    team_remove_member,
)
from shequ.volunteering.services.volunteers import (
    home_community,
    volunteer_link_account,
    volunteer_register,
    volunteer_register_self,
    volunteer_unlink_account,
    volunteer_verify,
)

__all__ = [
    "CHECK_IN_OPENS",
    "CHECK_OUT_CLOSES",
    "EDITABLE",
    "ID_CONTEXT",
    "MAX_CAPACITY",
    "MAX_DURATION",
    "MAX_MINUTES",
    "PHONE_CONTEXT",
    "QR_MAX_AGE",
    "QR_SALT",
    "REPEAT_SCAN",
    "AlreadyDone",
    "ScanResult",
    "ShiftPlan",
    "activity_cancel",
    "activity_create",
    "activity_finish",
    "activity_of_token",
    "activity_publish",
    "activity_update",
    "attendance_check_in",
    "attendance_check_in_all",
    "attendance_check_out",
    "attendance_scan",
    "attendee_add",
    "attendee_add_group",
    "attendee_remove",
    "brief_save",
    "home_community",
    "hours_confirm",
    "hours_confirm_all",
    "hours_correct",
    "points_balance",
    "points_for",
    "points_redeem",
    "qr_token",
    "signup_cancel",
    "signup_create",
    "team_add_member",
    "team_create",
    "team_remove_member",
    "volunteer_link_account",
    "volunteer_register",
    "volunteer_register_self",
    "volunteer_unlink_account",
    "volunteer_verify",
]
