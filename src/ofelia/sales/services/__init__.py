"""Writes of the sales app, one module per subject; each service runs in a transaction and
records an audit row. Seats live with `Enrolment` in `ofelia.catalogue.seats`."""

from ofelia.catalogue.seats import enrolment_cancel, enrolment_create

from .contract_events import REFUSING_PAYERS, contract_event_record
from .contracts import (
    LEGAL_EARLY_TERMINATION,
    RuleRefusal,
    contract_add_enrolment,
    contract_create,
    contract_from_enrolment,
    contract_sign,
    contract_update,
)
from .convocations import convocation_send, session_convocations_send
from .quotes import quote_accept, quote_convert, quote_create, quote_reject, quote_send

__all__ = [
    "LEGAL_EARLY_TERMINATION", "REFUSING_PAYERS", "RuleRefusal", "contract_add_enrolment", "contract_create",
    "contract_event_record", "contract_from_enrolment", "contract_sign", "contract_update",
    "convocation_send", "enrolment_cancel", "enrolment_create", "quote_accept", "quote_convert",
    "quote_create", "quote_reject", "quote_send", "session_convocations_send",
]
