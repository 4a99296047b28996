import { defineLogicFunction } from 'twenty-sdk/define';

import { respond, type RouteEvent } from '@twenty-gcp/apps-shared/http';

/** GET /s/mailchimp-webhook — Mailchimp checks the URL answers 200 before saving the webhook. */
export const handler = async (_event: RouteEvent) => respond(200, { ok: true });

export default defineLogicFunction({
  universalIdentifier: '9fb69bb2-110e-594f-b29f-36dac2feb46a',
  name: 'mailchimp-webhook-check',
  description: "Answers Mailchimp's GET validation of the webhook URL",
  timeoutSeconds: 5,
  handler,
  httpRouteTriggerSettings: { path: '/mailchimp-webhook', httpMethod: 'GET', isAuthRequired: false },
});
