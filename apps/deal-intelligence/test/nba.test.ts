// Next best action on fixture data: the AI path (a stub OpenAI-compatible endpoint), the rule
// fallback (no AI configured, an AI that fails, an AI that ignores the JSON format), the
// material-change filter and the absence of a self-trigger loop, change-only writes.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubAi, StubTwenty, databaseEvent } from '@twenty-gcp/apps-shared/testing';
import { ruleAction, type ActionContext } from '@twenty-gcp/apps-shared/next-action';

import onCompany from '../src/logic-functions/next-best-action-on-company-update';
import onOpportunity from '../src/logic-functions/next-best-action-on-opportunity-update';
import nightly, { handler as runNightly } from '../src/logic-functions/next-best-action-nightly';
import { onMaterialChange } from '../src/lib/nba-trigger';
import { MATERIAL_FIELDS, OWN_FIELDS, actionOf, materialChange, promptOf } from '../src/lib/nba';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const usd = (dollars: number) => ({ amountMicros: dollars * 1_000_000, currencyCode: 'USD' });

const stub = new StubTwenty();
const ai = new StubAi((prompt) => ({ action: `AI: ${prompt.split('\n')[0]}` }));
const plainAi = new StubAi((prompt) => `STUB: ${prompt.split('\n')[0]}`); // like the live stub: not JSON
let env: NodeJS.ProcessEnv;
let aiEnv: NodeJS.ProcessEnv;
before(async () => {
  await stub.start();
  await ai.start();
  await plainAi.start();
  env = stub.env({});
  aiEnv = { ...env, ...ai.env() };
});
after(async () => {
  await stub.stop();
  await ai.stop();
  await plainAi.stop();
});
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  ai.requests.length = 0;
  stub.seed('workspaceMembers', [{ id: 'owner-0', name: { firstName: 'Tim', lastName: 'Apple' } }]);
});

const seedDeals = () => {
  const [acme, quiet] = stub.seed('companies', [
    { name: 'Acme', accountOwnerId: 'owner-0' },
    { name: 'Quiet Co', accountOwnerId: null },
  ]);
  const [jane] = stub.seed('people', [{ name: { firstName: 'Jane', lastName: 'Doe' }, companyId: acme.id }]);
  const deals = stub.seed('opportunities', [
    { name: 'Acme proposal', stage: 'PROPOSAL', amount: usd(12_000), closeDate: iso(NOW + 20 * DAY), companyId: acme.id, pointOfContactId: jane.id, ownerId: 'owner-0', createdAt: iso(NOW - 30 * DAY) },
    { name: 'No contact', stage: 'NEW', companyId: quiet.id, createdAt: iso(NOW - 5 * DAY) },
    { name: 'Overdue', stage: 'MEETING', companyId: acme.id, pointOfContactId: jane.id, createdAt: iso(NOW - 10 * DAY) },
    { name: 'Won', stage: 'CUSTOMER', companyId: acme.id },
  ]);
  stub.seed('timelineActivities', [
    { name: 'message.linked', targetOpportunityId: deals[0].id, happensAt: iso(NOW - 2 * DAY) },
    { name: 'linked-note.created', targetOpportunityId: deals[2].id, happensAt: iso(NOW - 1 * DAY) },
  ]);
  const [task, done] = stub.seed('tasks', [
    { title: 'Send the deck', status: 'TODO', dueAt: iso(NOW - 3 * DAY) },
    { title: 'Old', status: 'DONE', dueAt: iso(NOW - 9 * DAY) },
  ]);
  stub.seed('taskTargets', [
    { taskId: task.id, targetOpportunityId: deals[2].id },
    { taskId: done.id, targetOpportunityId: deals[0].id },
  ]);
  return { acme, quiet, jane, deals };
};

const get = (plural: string, id: string) => stub.all(plural).find((r) => r.id === id)!;

describe('rules (no AI provider)', () => {
  test('one concrete action per open deal and account, from its context; closed deals left alone; a second run writes nothing', async () => {
    const { acme, quiet, deals } = seedDeals();
    const result = await runNightly({}, env, fetch, NOW);
    assert.deepEqual([result.opportunities, result.companies, result.ai, result.rules], [3, 2, 0, 5]);
    assert.equal(get('opportunities', deals[0].id).nextBestAction, 'Follow up with Jane Doe on the proposal and agree the steps to sign by 2026-12-21');
    assert.equal(get('opportunities', deals[1].id).nextBestAction, 'Name a point of contact at Quiet Co for this deal and introduce yourself');
    assert.equal(get('opportunities', deals[2].id).nextBestAction, 'Complete the overdue task "Send the deck" (due 2026-11-28)');
    assert.equal(get('opportunities', deals[3].id).nextBestAction, undefined, 'a won deal gets no action');
    assert.equal(get('opportunities', deals[0].id).nextBestActionAt, iso(NOW));
    assert.equal(get('companies', acme.id).nextBestAction, 'Move the open deal "Acme proposal" (PROPOSAL) to its next stage');
    assert.equal(get('companies', quiet.id).nextBestAction, 'Assign an account owner to Quiet Co');

    const writes = stub.writes().length;
    const again = await runNightly({}, env, fetch, NOW + 3_600_000);
    assert.equal(again.opportunities + again.companies, 0, 'nothing stale an hour later');
    assert.equal(stub.writes().length, writes);
    // A week later they are reconsidered, and unchanged text is not rewritten.
    const week = await runNightly({}, env, fetch, NOW + 8 * DAY);
    assert.equal(week.opportunities, 3);
    assert.ok(week.updated < 5, `${week.updated} rewritten`);
  });

  test('a re-scored deal whose action comes out the same is stamped once (no trigger), then left alone: the budget moves on', async () => {
    const { deals } = seedDeals();
    await runNightly({}, env, fetch, NOW);
    // The win-probability job re-scores the three open deals an hour later (its value and reasons
    // change, the rule's action does not): each is now older than its prediction.
    for (const [i, deal] of deals.slice(0, 3).entries()) {
      const rec = get('opportunities', deal.id);
      stub.table('opportunities').set(deal.id, { ...rec, winProbability: 40 + i, winProbabilityReasons: 'Model …', winProbabilityAt: iso(NOW + 3_600_000) });
    }
    const before = new Map(deals.map((d) => [d.id, get('opportunities', d.id).nextBestAction]));
    const writes = stub.writes().length;
    const small = { ...env, NBA_MAX_PER_RUN: '2' };
    const runs = [];
    for (let h = 2; h <= 4; h++) runs.push(await runNightly({}, small, fetch, NOW + h * 3_600_000));
    // Each due deal is reconsidered once, oldest first under the budget of 2, and then never again.
    assert.deepEqual(runs.map((r) => [r.opportunities + r.companies, r.updated, r.confirmed]), [[2, 0, 2], [1, 0, 1], [0, 0, 0]]);
    const stamps = stub.writes().slice(writes);
    assert.equal(stamps.length, 2, 'the 2 confirmations of the first run share one update-many call, then 1 update');
    for (const w of stamps) assert.deepEqual(Object.keys(w.body as object), ['nextBestActionAt'], 'only the stamp: the action text is not rewritten');
    assert.equal(stamps[0].method, 'PATCH');
    for (const deal of deals.slice(0, 3)) {
      const rec = get('opportunities', deal.id);
      assert.equal(rec.nextBestAction, before.get(deal.id));
      assert.ok(String(rec.nextBestActionAt) > String(rec.winProbabilityAt), 'confirmed after the prediction');
    }
    // The stamp raises opportunity.updated with updatedFields = [nextBestActionAt]: not material.
    const rec = get('opportunities', deals[0].id);
    assert.equal(materialChange(databaseEvent('opportunity.updated', rec, rec, ['nextBestActionAt'])), null);
    assert.ok(!MATERIAL_FIELDS.opportunity.includes('nextBestActionAt') && !MATERIAL_FIELDS.company.includes('nextBestActionAt'));
  });

  test('rule table: passed close date, go/no-go, re-engage, stage steps, churn call', () => {
    const base: ActionContext = { kind: 'opportunity', name: 'D', stage: 'SCREENING', lastActivityDays: 3, openTasks: [], contact: 'Jane', owner: 'Tim' };
    assert.match(ruleAction({ ...base, closeDate: NOW - 5 * DAY }, NOW), /^Close date 2026-11-26 has passed: ask Jane/);
    assert.equal(ruleAction({ ...base, winProbability: 10, daysInStage: 100 }, NOW), 'Ask Jane for a go/no-go: 3–6 months in SCREENING at 10% win probability');
    assert.equal(ruleAction({ ...base, lastActivityDays: 40 }, NOW), 'Re-engage Jane: no activity for 1–3 months on this deal');
    assert.equal(ruleAction({ ...base, lastActivityDays: null }, NOW), 'Re-engage Jane: no recorded activity on this deal');
    assert.match(ruleAction(base, NOW), /^Book a meeting with Jane/);
    assert.equal(ruleAction({ ...base, stage: 'MEETING', amount: 12000, currency: 'USD' }, NOW), 'Send Jane a proposal for 12,000 USD and schedule a review call');
    assert.equal(
      ruleAction({ kind: 'company', name: 'Acme', lastActivityDays: 1, openTasks: [], contact: null, owner: 'Tim', churnRisk: 65, churnReasons: 'Rules: subscription canceled (+40); last payment failed (+25).' }, NOW),
      'Schedule a retention call with Acme: churn risk 65% (subscription canceled (+40))',
    );
  });
});

describe('AI path', () => {
  test('the configured provider proposes the action from the record context; the rule is its hint', async () => {
    const { deals } = seedDeals();
    const result = await runNightly({}, aiEnv, fetch, NOW);
    assert.deepEqual([result.ai, result.rules, result.aiFailures], [5, 0, 0]);
    assert.equal(get('opportunities', deals[0].id).nextBestAction, 'AI: Record: opportunity "Acme proposal" (company Acme)');
    const prompt = ai.requests.find((r) => r.messages[1].content.includes('"Overdue"'))!.messages[1].content;
    assert.match(prompt, /Stage: MEETING, 1–2 weeks in stage/);
    assert.match(prompt, /Point of contact: Jane Doe/);
    assert.match(prompt, /Open tasks: "Send the deck" \(due 2026-11-28, overdue\)/);
    assert.match(prompt, /Rule-based suggestion: Complete the overdue task/);
    assert.equal(ai.requests[0].model, 'test-model');
  });

  test('an answer that ignores the JSON format is used as text; an AI that fails falls back to the rules (and stops after 3 failures)', async () => {
    seedDeals();
    const plain = await runNightly({}, { ...env, ...plainAi.env() }, fetch, NOW);
    assert.equal(plain.ai, 5);
    assert.ok(stub.all('opportunities').some((o) => String(o.nextBestAction).startsWith('STUB: Record: opportunity')));

    stub.store.clear();
    seedDeals();
    const down = await runNightly({}, { ...env, AI_BASE_URL: 'http://127.0.0.1:9/v1', AI_MODEL: 'm', AI_API_KEY: 'k' }, fetch, NOW);
    assert.deepEqual([down.ai, down.rules, down.aiFailures], [0, 5, 3]);
    assert.ok(down.firstAiError);
    assert.ok(stub.all('opportunities').filter((o) => o.stage !== 'CUSTOMER').every((o) => typeof o.nextBestAction === 'string' && !String(o.nextBestAction).startsWith('STUB')));
  });

  test('actionOf: JSON, plain text, empty, too long', () => {
    assert.equal(actionOf('{"action": "  Call   Jane "}'), 'Call Jane');
    assert.equal(actionOf('STUB: hello'), 'STUB: hello');
    assert.equal(actionOf('{"other": 1}'), null);
    assert.equal(actionOf('   '), null);
    assert.equal(actionOf('x'.repeat(900))!.length, 500);
  });
});

describe('trigger: material changes only, no self-trigger loop', () => {
  test('Twenty is asked to call us only for material fields, none of them ours', () => {
    assert.deepEqual(onOpportunity.config.databaseEventTriggerSettings, { eventName: 'opportunity.updated', updatedFields: MATERIAL_FIELDS.opportunity });
    assert.deepEqual(onCompany.config.databaseEventTriggerSettings, { eventName: 'company.updated', updatedFields: MATERIAL_FIELDS.company });
    for (const fields of Object.values(MATERIAL_FIELDS)) assert.deepEqual(fields.filter((f) => OWN_FIELDS.includes(f)), []);
    assert.deepEqual(nightly.config.cronTriggerSettings, { pattern: '15 4 * * *' });
  });

  test('materialChange: material fields yes; our own fields, other objects, creations no; without updatedFields, before/after decide', () => {
    const opp = { id: 'o1', stage: 'NEW', nextBestAction: 'x' };
    assert.deepEqual(materialChange(databaseEvent('opportunity.updated', { ...opp, stage: 'MEETING' }, opp, ['stage'])), { kind: 'opportunity', id: 'o1' });
    assert.equal(materialChange(databaseEvent('opportunity.updated', { ...opp, nextBestAction: 'y' }, opp, ['nextBestAction', 'nextBestActionAt'])), null);
    assert.equal(materialChange(databaseEvent('opportunity.updated', opp, opp, ['winProbability', 'winProbabilityReasons', 'winProbabilityAt'])), null);
    assert.equal(materialChange(databaseEvent('opportunity.updated', opp, opp, ['description'])), null);
    assert.equal(materialChange(databaseEvent('person.updated', opp, opp, ['name'])), null);
    assert.equal(materialChange(databaseEvent('opportunity.created', opp)), null);
    assert.deepEqual(materialChange(databaseEvent('company.updated', { id: 'c1', accountOwnerId: 'a' }, { id: 'c1', accountOwnerId: null })), { kind: 'company', id: 'c1' });
    assert.equal(materialChange(databaseEvent('company.updated', { id: 'c1', nextBestAction: 'b' }, { id: 'c1', nextBestAction: 'a' })), null);
  });

  test('a stage change refreshes that deal once; the event our own write raises does nothing', async () => {
    const { deals } = seedDeals();
    const deal = get('opportunities', deals[1].id);
    const moved = { ...deal, stage: 'SCREENING' };
    stub.table('opportunities').set(deal.id, moved);
    const first = await onMaterialChange(databaseEvent('opportunity.updated', moved, deal, ['stage']), aiEnv, fetch, NOW);
    assert.equal(first.updated, 1);
    assert.equal(ai.requests.length, 1);
    const written = stub.writes();
    assert.equal(written.length, 1);
    assert.deepEqual(Object.keys(written[0].body as object).sort(), ['nextBestAction', 'nextBestActionAt']);
    // Twenty now raises opportunity.updated for our write: updatedFields = our two fields.
    const after = get('opportunities', deal.id);
    const echo = await onMaterialChange(databaseEvent('opportunity.updated', after, moved, ['nextBestAction', 'nextBestActionAt']), aiEnv, fetch, NOW);
    assert.deepEqual(echo, { skipped: 'not a material change' });
    assert.equal(ai.requests.length, 1);
    assert.equal(stub.writes().length, 1);
    // The same material change again gives the same action: nothing written.
    const repeat = await onMaterialChange(databaseEvent('opportunity.updated', moved, deal, ['stage']), aiEnv, fetch, NOW);
    assert.equal(repeat.updated, 0);
    assert.equal(stub.writes().length, 1);
  });

  test('a closed deal or an account with nothing open is skipped', async () => {
    const { deals } = seedDeals();
    const won = get('opportunities', deals[3].id);
    assert.deepEqual((await onMaterialChange(databaseEvent('opportunity.updated', won, won, ['amount']), env, fetch, NOW)).skipped, 'closed deal');
    const [lonely] = stub.seed('companies', [{ name: 'Lonely' }]);
    const res = await onMaterialChange(databaseEvent('company.updated', lonely, lonely, ['accountOwnerId']), env, fetch, NOW);
    assert.equal(res.skipped, 'neither a customer nor an open deal');
    assert.equal(stub.writes().length, 0);
  });

  test('prompt is stable: the same situation an hour later gives the same prompt', () => {
    const ctx: ActionContext = { kind: 'opportunity', name: 'D', stage: 'NEW', daysInStage: 3, lastActivityDays: 20, openTasks: [], contact: 'J', owner: null };
    assert.equal(promptOf(ctx, NOW), promptOf({ ...ctx, daysInStage: 3.04, lastActivityDays: 20.04 }, NOW + 3_600_000));
  });
});
