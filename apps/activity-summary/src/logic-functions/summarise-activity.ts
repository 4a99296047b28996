import { defineLogicFunction } from 'twenty-sdk/define';

import { ConfigError } from '@twenty-gcp/apps-shared/http';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { aiOrNull, summariseActivity } from '../lib/summary';

export const DAILY_PATTERN = '0 7 * * *';

export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch, now = new Date()) => {
  const days = Number(env.ACTIVITY_DAYS || 1);
  if (!(days > 0 && days <= 31)) throw new ConfigError('ACTIVITY_DAYS must be between 1 and 31');
  return summariseActivity(TwentyClient.fromEnv(env, fetchImpl), { days, ai: aiOrNull(env), now, fetchImpl });
};

export default defineLogicFunction({
  universalIdentifier: 'c41d86d0-31fa-5218-8eff-c561f4e6a28e',
  name: 'summarise-activity',
  description: "Daily at 07:00: one note per account summarising its recent activity",
  timeoutSeconds: 600,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: DAILY_PATTERN },
});
