"""The one exception hierarchy of consentry.

Every error a user or operator can cause is a :class:`ConsentryError` with a
stable ``code`` and the HTTP status it maps to. The HTTP layer maps them in one
handler to ``{"error": {"code", "message"}}``; the CLI prints them and exits 2.

    ConsentryError                      500 internal_error
     ├── InvalidInput                   422 validation_error
     │    ├── ChoiceMissing             422 choice_required      (R4: sign-up without a choice)
     │    ├── PurposeNotPermitted       422 purpose_not_permitted (R19)
     │    └── PolicyInvalid             422 policy_invalid        (a policy file names the key)
     ├── Unauthenticated                401 unauthenticated
     ├── Forbidden                      403 forbidden
     │    ├── ChoiceRequired            403 choice_required      (R7: blocked after the deadline)
     │    └── AssistantNeedsService     403 assistant_requires_service (policy: service only)
     ├── NotFound                       404 not_found            (also another account's resource)
     ├── Conflict                       409 conflict
     │    ├── NotApplicable             409 not_applicable       (R2: commercial has no choice)
     │    ├── DeadlinePassed            409 deadline_passed      (R6)
     │    ├── ClockBackwards            409 clock_backwards
     │    ├── InvalidState              409 invalid_state        (e.g. starting a started run)
     │    ├── NotExported               409 not_exported         (P7: summary of an unexported run)
     │    ├── ExportInvalid             409 export_invalid       (P7: the export does not verify)
     │    └── SummaryUnavailable        409 summary_unavailable  (P7: exported before counts)
     ├── TooLarge                       413 too_large
     ├── RateLimited                    429 rate_limited         (too many failures or sign-ups)
     ├── Busy                           503 busy                 (a run could not freeze in time)
     └── LedgerCorrupt                  500 ledger_corrupt       (R27: verification failed)
"""

from __future__ import annotations


class ConsentryError(Exception):
    code = "internal_error"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ConsentryError):
    code = "validation_error"
    status = 422


class ChoiceMissing(InvalidInput):
    code = "choice_required"


class PurposeNotPermitted(InvalidInput):
    code = "purpose_not_permitted"


class PolicyInvalid(InvalidInput):
    code = "policy_invalid"


class Unauthenticated(ConsentryError):
    code = "unauthenticated"
    status = 401


class Forbidden(ConsentryError):
    code = "forbidden"
    status = 403


class ChoiceRequired(Forbidden):
    code = "choice_required"


class AssistantNeedsService(Forbidden):
    """`assistant_messages_from = "service"`: only a service token writes assistant text."""

    code = "assistant_requires_service"


class NotFound(ConsentryError):
    code = "not_found"
    status = 404


class Conflict(ConsentryError):
    code = "conflict"
    status = 409


class NotApplicable(Conflict):
    code = "not_applicable"


class DeadlinePassed(Conflict):
    code = "deadline_passed"


class ClockBackwards(Conflict):
    code = "clock_backwards"


class InvalidState(Conflict):
    code = "invalid_state"


class NotExported(Conflict):
    code = "not_exported"


class ExportInvalid(Conflict):
    code = "export_invalid"


class SummaryUnavailable(Conflict):
    code = "summary_unavailable"


class TooLarge(ConsentryError):
    code = "too_large"
    status = 413


class RateLimited(ConsentryError):
    """Too many failed authentications or sign-ups from one client address; the answer
    carries ``Retry-After`` (`retry_after`, whole seconds)."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class Busy(ConsentryError):
    """The store could not serve this now (a run waited too long for writers); retry."""

    code = "busy"
    status = 503


class LedgerCorrupt(ConsentryError):
    code = "ledger_corrupt"
