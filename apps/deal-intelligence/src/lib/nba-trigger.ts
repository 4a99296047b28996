// The handler of the two database-event triggers (next-best-action-on-opportunity/company-update).
import type { DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { loadConfig } from './jobs';
import { Proposer, loadNbaConfig, materialChange } from './nba';
import { refreshOne, type NbaRunResult } from './nba-run';
import { pacedFetch } from './pace';

export const onMaterialChange = async (
  event: DatabaseEvent,
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl: FetchLike = fetch,
  now = Date.now(),
): Promise<Partial<NbaRunResult> & { skipped?: string }> => {
  const change = materialChange(event);
  if (!change) return { skipped: 'not a material change' };
  const config = loadConfig(env);
  const nba = loadNbaConfig(env);
  const proposer = new Proposer(nba.ai, pacedFetch(fetchImpl, nba.aiCallsPerMinute));
  return refreshOne(TwentyClient.fromEnv(env, pacedFetch(fetchImpl, config.callsPerMinute)), change.kind, change.id, config.outcomes, proposer, now);
};
