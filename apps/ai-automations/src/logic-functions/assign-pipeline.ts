import { defineLogicFunction } from 'twenty-sdk/define';

import { recordIdOf, type DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { loadPipelineRules, matchRule } from '../lib/opportunity';
import { memberByEmail } from '../lib/tasks';

/** opportunity.created → owner (and starting stage) from PIPELINE_RULES by size / source. */
export const handler = async (event: DatabaseEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) => {
  const rules = loadPipelineRules(env.PIPELINE_RULES);
  const id = recordIdOf(event);
  if (!id || rules.length === 0) return { status: 'skipped', reason: id ? 'no PIPELINE_RULES' : 'no record id' };
  const twenty = TwentyClient.fromEnv(env, fetchImpl);
  const opp = await twenty.get('opportunities', id);
  if (!opp) return { status: 'skipped', reason: 'not found' };
  if (opp.ownerId) return { status: 'skipped', reason: 'already has an owner' };
  const rule = matchRule(opp, rules);
  if (!rule) return { status: 'skipped', reason: 'no rule matches' };
  const ownerId = await memberByEmail(twenty, rule.ownerEmail);
  if (!ownerId) return { status: 'skipped', reason: `no workspace member ${rule.ownerEmail}` };
  const patch: Record<string, unknown> = { ownerId };
  if (rule.stage && (!opp.stage || opp.stage === 'NEW')) patch.stage = rule.stage;
  await twenty.update('opportunities', id, patch);
  return { status: 'assigned', ...patch };
};

export default defineLogicFunction({
  universalIdentifier: '17ede7a1-6d22-5881-bf10-a57f5d3f168f',
  name: 'assign-pipeline',
  description: 'Assigns an owner (and starting stage) to new opportunities by size/source rules',
  timeoutSeconds: 30,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'opportunity.created' },
});
