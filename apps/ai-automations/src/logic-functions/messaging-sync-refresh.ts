import { defineLogicFunction } from 'twenty-sdk/define';

import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { checkSync } from '../lib/sync-health';

// Every 15 minutes from 08:00 to 19:45, Monday to Friday.
export const PATTERN = '*/15 8-19 * * 1-5';

export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) =>
  checkSync(TwentyClient.fromEnv(env, fetchImpl), 'messaging', env);

export default defineLogicFunction({
  universalIdentifier: '1eb86bc2-4480-5375-b024-32e51d686295',
  name: 'messaging-sync-refresh',
  description: 'Checks email sync of connected accounts; raises an alert task on failure',
  timeoutSeconds: 60,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: PATTERN },
});
