import { defineLogicFunction } from 'twenty-sdk/define';

import { handleRoute, header, jsonBody, requireEnv, type RouteEvent } from '@twenty-gcp/apps-shared/http';
import { verifySharedSecret } from '@twenty-gcp/apps-shared/signatures';
import { TwentyClient } from '@twenty-gcp/apps-shared/twenty';

import { importVisits, parseVisits } from '../lib/webmetic';

/** POST /s/webmetic-webhook — one visit or {visitors:[…]}; protected by x-webmetic-secret. */
export const handler = (event: RouteEvent, env: NodeJS.ProcessEnv = process.env) =>
  handleRoute(event, async (request) => {
    verifySharedSecret(header(request, 'x-webmetic-secret'), requireEnv('WEBMETIC_WEBHOOK_SECRET', env), 'x-webmetic-secret header');
    return importVisits(TwentyClient.fromEnv(env), parseVisits(jsonBody(request)));
  });

export default defineLogicFunction({
  universalIdentifier: 'ad1a2b94-80c7-57b9-8e7d-07217ef69511',
  name: 'webmetic-webhook',
  description: 'Receives Webmetic website visits and stores them as website leads linked to companies',
  timeoutSeconds: 60,
  handler: (event: RouteEvent) => handler(event),
  httpRouteTriggerSettings: {
    path: '/webmetic-webhook',
    httpMethod: 'POST',
    isAuthRequired: false,
    forwardedRequestHeaders: ['x-webmetic-secret'],
  },
});
