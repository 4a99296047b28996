import { defineLogicFunction } from 'twenty-sdk/define';

import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { dailySummary } from '../lib/daily';

export const PATTERN = '0 8 * * *';

export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch, now = new Date()) =>
  dailySummary(TwentyClient.fromEnv(env, fetchImpl), env, fetchImpl, now);

export default defineLogicFunction({
  universalIdentifier: 'f3aaa524-4625-5bf4-9387-12546bb28a7c',
  name: 'daily-activity-summary',
  description: 'Daily at 08:00: AI digest of yesterday plus stale-deal alert tasks',
  timeoutSeconds: 300,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: PATTERN },
});
