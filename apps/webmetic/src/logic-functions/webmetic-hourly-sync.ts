import { defineLogicFunction } from 'twenty-sdk/define';

import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { fetchVisits, importVisits } from '../lib/webmetic';

export const HOURLY_PATTERN = '0 * * * *';

/** Hourly: pull the last two hours of visits (overlapping windows are harmless: leads are keyed by visit id). */
export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch, now = new Date()) =>
  importVisits(TwentyClient.fromEnv(env, fetchImpl), await fetchVisits(env, new Date(now.getTime() - 2 * 3_600_000), fetchImpl));

export default defineLogicFunction({
  universalIdentifier: 'd3428648-10c7-558e-925a-b69d543b4f59',
  name: 'webmetic-hourly-sync',
  description: 'Every hour: pulls recent Webmetic visitors into website leads',
  timeoutSeconds: 300,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: HOURLY_PATTERN },
});
