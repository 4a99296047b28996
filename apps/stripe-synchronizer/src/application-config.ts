import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = 'ff290978-e816-59b7-b79d-f5e9255cbd50';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "Stripe synchronizer",
  description: "Keeps Stripe customers, subscriptions, seats, status and payments in sync on companies and people.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    STRIPE_WEBHOOK_SECRET: {
      universalIdentifier: '49b59042-a96c-5fbc-a692-a7f0800106da',
      description: "Signing secret of the Stripe webhook endpoint (whsec_\u2026)",
      isSecret: true,
    },
    STRIPE_TOLERANCE_SECONDS: {
      universalIdentifier: '9e8040b0-4bcf-5533-b6b1-5e7c8fb1b6fd',
      description: "Max age in seconds of a signed Stripe event (replay protection)",
      value: "300",
    },
  },
});
