import { defineLogicFunction } from 'twenty-sdk/define';

import type { DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { ROLLUP_INPUTS, loadRules, rollupCompany } from '../lib/rollup';

/** opportunity.* (updates only when a rolled-up input changed) → recompute the rollup of the company before and after the change. */
export const handler = async (event: DatabaseEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) => {
  const rules = loadRules(env.ROLLUP_RULES);
  const currency = (env.ROLLUP_CURRENCY || 'USD').toUpperCase();
  const ids = new Set(
    [event?.properties?.before?.companyId, event?.properties?.after?.companyId].filter(
      (id): id is string => typeof id === 'string' && id.length > 0,
    ),
  );
  const twenty = TwentyClient.fromEnv(env, fetchImpl);
  const results = [];
  for (const id of ids) results.push(await rollupCompany(twenty, id, rules, currency));
  return { results };
};

export default defineLogicFunction({
  universalIdentifier: 'a66c9004-f2a2-5f0e-aa17-439bba71cd2b',
  name: 'rollup-on-opportunity',
  description: "Recomputes the company's opportunity rollups when an opportunity changes",
  timeoutSeconds: 60,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'opportunity.*', updatedFields: ROLLUP_INPUTS },
});
