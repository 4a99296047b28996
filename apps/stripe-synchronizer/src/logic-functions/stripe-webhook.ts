import { defineLogicFunction } from 'twenty-sdk/define';

import { handleRoute, header, jsonBody, rawBodyOf, requireEnv, type RouteEvent } from '@twenty-gcp/apps-shared/http';
import { verifyStripeSignature } from '@twenty-gcp/apps-shared/signatures';
import { TwentyClient } from '@twenty-gcp/apps-shared/twenty';

import { applyStripeEvent, parseStripeEvent } from '../lib/sync';

export const STRIPE_WEBHOOK_UNIVERSAL_IDENTIFIER = '21d5bfa5-ce88-55a6-84c1-8ce600e7bc1e';

/** POST /s/stripe-webhook — a Stripe event, signed with the endpoint's signing secret. */
export const handler = (event: RouteEvent, env: NodeJS.ProcessEnv = process.env) =>
  handleRoute(event, async (request) => {
    verifyStripeSignature({
      payload: rawBodyOf(request),
      header: header(request, 'stripe-signature'),
      secret: requireEnv('STRIPE_WEBHOOK_SECRET', env),
      toleranceSeconds: Number(env.STRIPE_TOLERANCE_SECONDS ?? 300) || 300,
    });
    const stripeEvent = parseStripeEvent(jsonBody(request));
    return applyStripeEvent(TwentyClient.fromEnv(env), stripeEvent);
  });

export default defineLogicFunction({
  universalIdentifier: STRIPE_WEBHOOK_UNIVERSAL_IDENTIFIER,
  name: 'stripe-webhook',
  description: 'Receives Stripe events (signature checked) and syncs customers, subscriptions and payments',
  timeoutSeconds: 30,
  handler: (event: RouteEvent) => handler(event),
  httpRouteTriggerSettings: {
    path: '/stripe-webhook',
    httpMethod: 'POST',
    isAuthRequired: false,
    forwardedRequestHeaders: ['stripe-signature'],
  },
});
