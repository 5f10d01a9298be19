"""Every reviewer's and registrant's move after submission, and every write to a round.

Order inside each: transaction → re-read under ``select_for_update`` → may this actor act → is the
move allowed from the current state → change → event row → notifications after commit. A second
reviewer acting on the same model waits on the lock, then finds the state moved on and is told
the registration was already handled.

One module per concept; callers import from here.
"""

from reviews.services.common import ALREADY_HANDLED, registrants
from reviews.services.history import AnnexRefused, can_import_rounds, round_import_historical
from reviews.services.recognition import (
    appraisal_save,
    model_mark_outstanding,
    model_not_recognise,
    model_propose,
    model_recognise,
    model_return_for_evidence,
    open_proposal,
)
from reviews.services.registration import (
    BulkOutcome,
    registration_accept,
    registration_accept_many,
    registration_reject,
    registration_return,
)
from reviews.services.rounds import (
    DECISION_FILE_EXTENSIONS,
    NAMED_AT_MOST,
    ROUND_FIELDS,
    commendation_correct,
    commendation_nominate,
    commendation_nominate_many,
    commendation_remove,
    commendation_revoke,
    commendation_update,
    round_create,
    round_publish,
    round_record_decision,
    round_update,
)
from reviews.services.rubric import rubric_activate, rubric_new_version

__all__ = [
    "ALREADY_HANDLED",
    "DECISION_FILE_EXTENSIONS",
    "NAMED_AT_MOST",
    "ROUND_FIELDS",
    "AnnexRefused",
    "BulkOutcome",
    "appraisal_save",
    "can_import_rounds",
    "commendation_correct",
    "commendation_nominate",
    "commendation_nominate_many",
    "commendation_remove",
    "commendation_revoke",
    "commendation_update",
    "model_mark_outstanding",
    "model_not_recognise",
    "model_propose",
    "model_recognise",
    "model_return_for_evidence",
    "open_proposal",
    "registrants",
    "registration_accept",
    "registration_accept_many",
    "registration_reject",
    "registration_return",
    "round_create",
    "round_import_historical",
    "round_publish",
    "round_record_decision",
    "round_update",
    "rubric_activate",
    "rubric_new_version",
]
