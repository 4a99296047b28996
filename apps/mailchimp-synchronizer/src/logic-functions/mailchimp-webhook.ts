import { defineLogicFunction } from 'twenty-sdk/define';

import { HttpError, handleRoute, header, requireEnv, type RouteEvent } from '@twenty-gcp/apps-shared/http';
import { verifySharedSecret } from '@twenty-gcp/apps-shared/signatures';
import { TwentyClient } from '@twenty-gcp/apps-shared/twenty';

import { applyEvent, parseEvent, parseForm } from '../lib/mailchimp';

/** POST /s/mailchimp-webhook?secret=… — Mailchimp signs nothing, so the URL carries a secret. */
export const handler = (event: RouteEvent, env: NodeJS.ProcessEnv = process.env) =>
  handleRoute(event, async (request) => {
    const given = request.queryStringParameters?.secret ?? header(request, 'x-webhook-secret');
    verifySharedSecret(given, requireEnv('MAILCHIMP_WEBHOOK_SECRET', env), 'secret');
    const mailchimpEvent = parseEvent(parseForm(request));
    const audience = env.MAILCHIMP_AUDIENCE_ID;
    if (audience && mailchimpEvent.listId && mailchimpEvent.listId !== audience) {
      throw new HttpError(400, `data[list_id] ${mailchimpEvent.listId} is not the configured audience`);
    }
    return applyEvent(TwentyClient.fromEnv(env), mailchimpEvent);
  });

export default defineLogicFunction({
  universalIdentifier: 'd4e46bac-e78b-5535-81de-f28e609bce10',
  name: 'mailchimp-webhook',
  description: 'Mailchimp audience webhook (secret in the URL): subscribe, unsubscribe, cleaned, profile, upemail',
  timeoutSeconds: 30,
  handler: (event: RouteEvent) => handler(event),
  httpRouteTriggerSettings: {
    path: '/mailchimp-webhook',
    httpMethod: 'POST',
    isAuthRequired: false,
    forwardedRequestHeaders: ['x-webhook-secret'],
  },
});
