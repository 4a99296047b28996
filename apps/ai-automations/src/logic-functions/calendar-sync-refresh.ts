import { defineLogicFunction } from 'twenty-sdk/define';

import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { checkSync } from '../lib/sync-health';

// Every 30 minutes from 09:00 to 18:30, Monday to Friday.
export const PATTERN = '*/30 9-18 * * 1-5';

export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) =>
  checkSync(TwentyClient.fromEnv(env, fetchImpl), 'calendar', env);

export default defineLogicFunction({
  universalIdentifier: '90ff5689-0a82-53be-8854-cd43f644cf06',
  name: 'calendar-sync-refresh',
  description: 'Checks calendar sync of connected accounts; raises an alert task on failure',
  timeoutSeconds: 60,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: PATTERN },
});
