"""Writes for accounts: log-in with lockout, two-factor devices, invitations, memberships, password
resets and API tokens; one module per process, re-exported here.

Every service follows authorise → validate → write → audit → enqueue on commit. Where a refused
attempt must itself leave a trace (a failed log-in, a wrong two-factor code), the trace is written
and committed before the refusal is raised.
"""

from samverkan.accounts.services.invitations import (
    INVITATION_LIFETIME,
    IssuedInvitation,
    hash_token,
    invitation_accept,
    invitation_get_by_token,
    membership_invite,
)
from samverkan.accounts.services.login import (
    LoginFailed,
    LoginLocked,
    lockout_address,
    login_authenticate,
    login_is_locked,
    logout_record,
    normalise_username,
)
from samverkan.accounts.services.memberships import (
    LAST_ADMIN_MESSAGE,
    membership_change_role,
    membership_remove,
)
from samverkan.accounts.services.passwords import (
    RESET_PER_ACCOUNT,
    RESET_PER_ADDRESS,
    RESET_WINDOW,
    password_reset_request,
)
from samverkan.accounts.services.tokens import api_token_create, api_token_renew, api_token_revoke
from samverkan.accounts.services.two_factor import (
    RECOVERY_ALPHABET,
    RECOVERY_CODE_COUNT,
    has_authenticator,
    recovery_codes_issue,
    recovery_codes_left,
    two_factor_confirm,
    two_factor_device_start,
    two_factor_recover,
    two_factor_verify,
)

__all__ = [
    "INVITATION_LIFETIME",
    "LAST_ADMIN_MESSAGE",
    "RECOVERY_ALPHABET",
    "RECOVERY_CODE_COUNT",
    "RESET_PER_ACCOUNT",
    "RESET_PER_ADDRESS",
    "RESET_WINDOW",
    "IssuedInvitation",
    "LoginFailed",
    "LoginLocked",
    "api_token_create",
    "api_token_renew",
    "api_token_revoke",
    "has_authenticator",
    "hash_token",
    "invitation_accept",
    "invitation_get_by_token",
    "lockout_address",
    "login_authenticate",
    "login_is_locked",
    "logout_record",
    "membership_change_role",
    "membership_invite",
    "membership_remove",
    "normalise_username",
    "password_reset_request",
    "recovery_codes_issue",
    "recovery_codes_left",
    "two_factor_confirm",
    "two_factor_device_start",
    "two_factor_recover",
    "two_factor_verify",
]
