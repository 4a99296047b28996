import { defineLogicFunction } from 'twenty-sdk/define';

import { handleRoute, header, jsonBody, requireEnv, type RouteEvent } from '@twenty-gcp/apps-shared/http';
import { verifySharedSecret } from '@twenty-gcp/apps-shared/signatures';
import { TwentyClient } from '@twenty-gcp/apps-shared/twenty';

import { parseTranscript, storeTranscript } from '../lib/transcript';

/** POST /s/meeting-transcript — a transcript; the caller proves itself with x-webhook-secret. */
export const handler = (event: RouteEvent, env: NodeJS.ProcessEnv = process.env) =>
  handleRoute(event, async (request) => {
    verifySharedSecret(header(request, 'x-webhook-secret'), requireEnv('MEETING_TRANSCRIPT_SECRET', env), 'x-webhook-secret header');
    const transcript = parseTranscript(jsonBody(request));
    return storeTranscript(TwentyClient.fromEnv(env), transcript);
  });

export default defineLogicFunction({
  universalIdentifier: 'a4263a84-094d-593f-9d78-d1d78ead6270',
  name: 'meeting-transcript-webhook',
  description: 'Receives a meeting transcript (shared secret) and stores it as a note linked to people and companies',
  timeoutSeconds: 60,
  handler: (event: RouteEvent) => handler(event),
  httpRouteTriggerSettings: {
    path: '/meeting-transcript',
    httpMethod: 'POST',
    isAuthRequired: false,
    forwardedRequestHeaders: ['x-webhook-secret'],
  },
});
