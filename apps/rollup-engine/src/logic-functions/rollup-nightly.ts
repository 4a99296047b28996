import { defineLogicFunction } from 'twenty-sdk/define';

import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { loadRules, rollupAll } from '../lib/rollup';

export const NIGHTLY_PATTERN = '0 2 * * *';

/** Nightly full recompute: repairs anything an event missed (deletes, imports, rule changes). */
export const handler = async (_event: unknown = {}, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) =>
  rollupAll(TwentyClient.fromEnv(env, fetchImpl), loadRules(env.ROLLUP_RULES), (env.ROLLUP_CURRENCY || 'USD').toUpperCase());

export default defineLogicFunction({
  universalIdentifier: '561d659e-823c-5796-9153-70bc776d7d97',
  name: 'rollup-nightly',
  description: 'Recomputes every company rollup at 02:00',
  timeoutSeconds: 300,
  handler: (event: unknown) => handler(event),
  cronTriggerSettings: { pattern: NIGHTLY_PATTERN },
});
