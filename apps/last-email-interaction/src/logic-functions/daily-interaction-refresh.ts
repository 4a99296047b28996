import { defineLogicFunction } from 'twenty-sdk/define';

import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { dailyRefresh, thresholdsFromEnv } from '../lib/interaction';

export const DAILY_PATTERN = '0 5 * * *';

export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) =>
  dailyRefresh(TwentyClient.fromEnv(env, fetchImpl), thresholdsFromEnv(env));

export default defineLogicFunction({
  universalIdentifier: '4b5d7b3e-dde8-5f27-b583-436a8e58b15f',
  name: 'daily-interaction-refresh',
  description: 'Daily at 05:00: catches up on recent emails and ages interaction statuses',
  timeoutSeconds: 300,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: DAILY_PATTERN },
});
