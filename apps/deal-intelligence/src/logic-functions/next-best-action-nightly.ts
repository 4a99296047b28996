import { defineLogicFunction } from 'twenty-sdk/define';

import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { loadConfig } from '../lib/jobs';
import { Proposer, loadNbaConfig } from '../lib/nba';
import { runNextBestAction } from '../lib/nba-run';
import { pacedFetch } from '../lib/pace';

export const NIGHTLY_PATTERN = '15 4 * * *';

/** Nightly, after the win-probability and churn jobs: next best actions that are missing, old or older than the last prediction. */
export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch, now = Date.now()) => {
  const config = loadConfig(env);
  const nba = loadNbaConfig(env);
  const proposer = new Proposer(nba.ai, pacedFetch(fetchImpl, nba.aiCallsPerMinute));
  return runNextBestAction(TwentyClient.fromEnv(env, pacedFetch(fetchImpl, config.callsPerMinute)), config.outcomes, nba, proposer, now);
};

export default defineLogicFunction({
  universalIdentifier: '156da56e-813d-4e28-9c17-688c4014016e',
  name: 'next-best-action-nightly',
  description: 'At 04:15: proposes a next best action (AI, or rules) for open deals and accounts whose action is missing or stale',
  timeoutSeconds: 900,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: NIGHTLY_PATTERN },
});
