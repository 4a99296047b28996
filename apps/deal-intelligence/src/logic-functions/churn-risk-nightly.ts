import { defineLogicFunction } from 'twenty-sdk/define';

import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { loadConfig, runChurnRisk } from '../lib/jobs';
import { pacedFetch } from '../lib/pace';

export const NIGHTLY_PATTERN = '45 3 * * *';

/** Nightly: the churn-risk rules over every customer company. */
export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch, now = Date.now()) => {
  const config = loadConfig(env);
  return runChurnRisk(TwentyClient.fromEnv(env, pacedFetch(fetchImpl, config.callsPerMinute)), config, now);
};

export default defineLogicFunction({
  universalIdentifier: 'c572cd0d-0fd4-407c-b155-7d5b1b4dfe96',
  name: 'churn-risk-nightly',
  description: 'At 03:45: scores churn risk for customer companies (payments, activity, tasks, owner, seats)',
  timeoutSeconds: 900,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: NIGHTLY_PATTERN },
});
