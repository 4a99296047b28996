import { defineLogicFunction } from 'twenty-sdk/define';

import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { loadConfig, runWinProbability } from '../lib/jobs';
import { pacedFetch } from '../lib/pace';

export const NIGHTLY_PATTERN = '15 3 * * *';

/** Nightly: fit on the closed deals, score the open ones, refresh the revenue forecast. */
export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch, now = Date.now()) => {
  const config = loadConfig(env);
  return runWinProbability(TwentyClient.fromEnv(env, pacedFetch(fetchImpl, config.callsPerMinute)), config, now);
};

export default defineLogicFunction({
  universalIdentifier: '633b2144-e11c-4d08-b0d0-c35b55f3c632',
  name: 'win-probability-nightly',
  description: 'At 03:15: trains the win-probability model, scores open deals, refreshes the revenue forecast',
  timeoutSeconds: 900,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: NIGHTLY_PATTERN },
});
