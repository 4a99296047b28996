import { defineLogicFunction } from 'twenty-sdk/define';

import { handleRoute, header, jsonBody, rawBodyOf, requireEnv, type RouteEvent } from '@twenty-gcp/apps-shared/http';
import { verifyHmacHex } from '@twenty-gcp/apps-shared/signatures';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { fetchTranscript, parseWebhook, storeTranscript } from '../lib/fireflies';

/** POST /s/fireflies-webhook — Fireflies' "Transcription completed" webhook (x-hub-signature). */
export const handler = (event: RouteEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) =>
  handleRoute(event, async (request) => {
    verifyHmacHex({
      payload: rawBodyOf(request),
      signature: header(request, 'x-hub-signature'),
      secret: requireEnv('FIREFLIES_WEBHOOK_SECRET', env),
      headerName: 'x-hub-signature',
    });
    const { meetingId, eventType } = parseWebhook(jsonBody(request));
    if (eventType !== 'Transcription completed') return { status: 'ignored', eventType };
    const transcript = await fetchTranscript(
      env.FIREFLIES_API_URL || 'https://api.fireflies.ai/graphql',
      requireEnv('FIREFLIES_API_KEY', env),
      meetingId,
      fetchImpl,
    );
    return storeTranscript(TwentyClient.fromEnv(env, fetchImpl), transcript);
  });

export default defineLogicFunction({
  universalIdentifier: '230f5a74-3755-5481-83d0-53b4a1c7fc09',
  name: 'fireflies-webhook',
  description: 'Receives Fireflies webhooks (HMAC checked), fetches the transcript and stores it as a linked note',
  timeoutSeconds: 60,
  handler: (event: RouteEvent) => handler(event),
  httpRouteTriggerSettings: {
    path: '/fireflies-webhook',
    httpMethod: 'POST',
    isAuthRequired: false,
    forwardedRequestHeaders: ['x-hub-signature'],
  },
});
