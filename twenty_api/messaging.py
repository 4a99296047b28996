"""E-mail on ``/metadata``, for a user session only: 2.21's send-email.resolver.ts checks that the
connected account belongs to the caller's userWorkspaceId, which an API key does not have
(contract example 094; sendEmail from send-email.resolver.ts)."""

from __future__ import annotations

from twenty_api.operations import mutation, query

MY_CONNECTED_ACCOUNTS = query(
    "myConnectedAccounts",
    "query MyConnectedAccounts { myConnectedAccounts { id handle provider name authFailedAt "
    "lastSignedInAt createdAt } }",
)
SEND_EMAIL = mutation(
    "sendEmail",
    "mutation SendEmail($input: SendEmailInput!) { sendEmail(input: $input) { success error "
    "messageThreadId } }",
)
