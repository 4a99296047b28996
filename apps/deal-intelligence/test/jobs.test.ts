// The nightly jobs on fixture data, against the contract-shaped stub of Twenty's REST API.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubTwenty } from '@twenty-gcp/apps-shared/testing';

import { generateWorkspace } from '../bench/synthetic';
import churnNightly, { handler as runChurn } from '../src/logic-functions/churn-risk-nightly';
import winNightly, { handler as runWin } from '../src/logic-functions/win-probability-nightly';
import { loadConfig } from '../src/lib/jobs';
import { pacedFetch, type Clock } from '../src/lib/pace';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const usd = (dollars: number) => ({ amountMicros: dollars * 1_000_000, currencyCode: 'USD' });

const stub = new StubTwenty();
let env: NodeJS.ProcessEnv;
before(async () => {
  await stub.start();
  env = stub.env({ LOST_STAGES: 'LOST' });
});
after(() => stub.stop());
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  stub.seed('workspaceMembers', [{ id: 'owner-0', name: { firstName: 'Tim', lastName: 'Apple' } }]);
});

const seedGenerated = (closed: number, open: number, seed: number) => {
  const g = generateWorkspace(closed, open, seed, NOW);
  stub.seed('opportunities', g.opportunities);
  stub.seed('companies', g.companies);
  stub.seed('timelineActivities', g.timeline);
  return g;
};

describe('triggers', () => {
  test('nightly crons, within the 900 s limit of a logic function', () => {
    assert.deepEqual(winNightly.config.cronTriggerSettings, { pattern: '15 3 * * *' });
    assert.deepEqual(churnNightly.config.cronTriggerSettings, { pattern: '45 3 * * *' });
    assert.ok(winNightly.config.timeoutSeconds! <= 900 && churnNightly.config.timeoutSeconds! <= 900);
  });
});

describe('win probability + forecast', () => {
  test('trains on closed deals, scores open ones, writes the forecast; a second run writes nothing', async () => {
    seedGenerated(200, 30, 1);
    const result = await runWin({}, env, fetch, NOW);
    assert.equal(result.mode, 'model');
    assert.equal(result.closed.won + result.closed.lost, 200);
    const opps = stub.all('opportunities');
    for (const o of opps) {
      assert.ok(typeof o.winProbability === 'number' && o.winProbability >= 0 && o.winProbability <= 100);
      assert.equal(o.winProbabilityAt, iso(NOW));
      if (o.stage === 'CUSTOMER') assert.equal(o.winProbability, 100);
      else if (o.stage === 'LOST') assert.equal(o.winProbability, 0);
      else assert.match(String(o.winProbabilityReasons), /^Model trained on this workspace's closed deals\. Top factors: /);
    }
    // Forecast: TOTAL rows equal Σ amount × p over the open deals closing that month.
    const rows = stub.all('revenueForecasts');
    assert.ok(rows.length > 0 && result.forecast.created === rows.length);
    const open = opps.filter((o) => !['CUSTOMER', 'LOST'].includes(String(o.stage)));
    for (const row of rows.filter((r) => r.groupBy === 'TOTAL')) {
      const inMonth = open.filter((o) => String(o.closeDate).slice(0, 7) === row.month);
      const expected = inMonth.reduce((s, o) => s + ((o.amount as { amountMicros: number }).amountMicros / 1e6) * (o.winProbability as number) / 100, 0);
      assert.ok(Math.abs((row.expectedAmount as { amountMicros: number }).amountMicros / 1e6 - expected) < 0.02, row.name as string);
      assert.equal(row.dealCount, inMonth.length);
      const { amountMicros: worst } = row.worstAmount as { amountMicros: number };
      const { amountMicros: best } = row.bestAmount as { amountMicros: number };
      assert.ok(worst <= (row.expectedAmount as { amountMicros: number }).amountMicros && best >= worst);
    }
    assert.ok(rows.some((r) => r.groupBy === 'OWNER' && r.groupLabel === 'Tim Apple'));
    assert.ok(rows.some((r) => r.groupBy === 'STAGE'));
    // Writes were batched: identical patches (closed won / closed lost) went out together.
    assert.ok(result.writeCalls < result.updated + rows.length, `${result.writeCalls} calls for ${result.updated} deals`);
    assert.ok(stub.writes().every((w) => w.method !== 'DELETE'));

    const writesBefore = stub.writes().length;
    const again = await runWin({}, env, fetch, NOW + 60_000);
    assert.equal(stub.writes().length, writesBefore, 'second run writes nothing');
    assert.deepEqual([again.updated, again.forecast.created, again.forecast.updated, again.forecast.zeroed], [0, 0, 0, 0]);
  });

  test('too few closed deals: the stage prior, said so, and one update-many call per stage', async () => {
    stub.seed('opportunities', [
      ...Array.from({ length: 21 }, (_, i) => ({ name: `Won ${i}`, stage: 'CUSTOMER', createdAt: iso(NOW - 200 * DAY) })),
      ...['NEW', 'SCREENING', 'MEETING', 'PROPOSAL'].flatMap((stage) =>
        Array.from({ length: 5 }, (_, i) => ({ name: `${stage} ${i}`, stage, amount: usd(1000), closeDate: iso(NOW + 20 * DAY), createdAt: iso(NOW - 30 * DAY) })),
      ),
    ]);
    const result = await runWin({}, env, fetch, NOW);
    assert.equal(result.mode, 'stage-prior');
    assert.deepEqual(result.closed, { won: 21, lost: 0 });
    const meeting = stub.all('opportunities').filter((o) => o.stage === 'MEETING');
    assert.ok(meeting.every((o) => o.winProbability === 35 && String(o.winProbabilityReasons).startsWith('Stage prior for MEETING: too few closed deals')));
    const oppWrites = stub.writes().filter((w) => w.path.startsWith('/rest/opportunities'));
    assert.equal(oppWrites.length, 5, '41 deals written in 5 calls (closed won + four stages)');
    assert.ok(oppWrites.every((w) => w.method === 'PATCH' && w.query.get('filter')?.startsWith('id[in]:')));
  });

  test('a forecast key no deal feeds any more is zeroed, never deleted', async () => {
    const [deal] = stub.seed('opportunities', [
      { name: 'Only', stage: 'PROPOSAL', amount: usd(10_000), closeDate: iso(NOW + 5 * DAY), ownerId: 'owner-0', createdAt: iso(NOW - 10 * DAY) },
    ]);
    await runWin({}, env, fetch, NOW);
    const owner = stub.all('revenueForecasts').find((r) => r.groupBy === 'OWNER')!;
    assert.equal(owner.dealCount, 1);
    assert.equal((owner.expectedAmount as { amountMicros: number }).amountMicros, 5_500_000_000);
    stub.table('opportunities').set(deal.id, { ...stub.table('opportunities').get(deal.id)!, ownerId: null });
    const result = await runWin({}, env, fetch, NOW);
    assert.equal(result.forecast.zeroed, 1);
    const zeroed = stub.all('revenueForecasts').find((r) => r.id === owner.id)!;
    assert.equal(zeroed.dealCount, 0);
    assert.ok(stub.all('revenueForecasts').some((r) => r.groupBy === 'OWNER' && r.groupKey === 'none' && r.dealCount === 1));
  });
});

describe('churn risk', () => {
  test('rules over Stripe data, activity, tasks and owner; only customers; second run writes nothing', async () => {
    const [canceled, shrinking, declining, prospect, busy] = stub.seed('companies', [
      { name: 'Canceled', stripeCustomerId: 'cus_1', subscriptionStatus: 'CANCELED', lastPaymentStatus: 'FAILED', accountOwnerId: null },
      { name: 'Shrinking', stripeCustomerId: 'cus_2', subscriptionStatus: 'ACTIVE', subscriptionSeats: 5, seatsPeak: 8, accountOwnerId: 'owner-0' },
      { name: 'Declining', accountOwnerId: 'owner-0' },
      { name: 'Prospect', accountOwnerId: null },
      { name: 'Busy', stripeCustomerId: 'cus_3', subscriptionStatus: 'ACTIVE', subscriptionSeats: 10, accountOwnerId: 'owner-0' },
    ]);
    stub.seed('opportunities', [{ name: 'Won', stage: 'CUSTOMER', companyId: declining.id }]);
    const act = (companyId: string, daysAgo: number) => ({ name: 'message.linked', targetCompanyId: companyId, happensAt: iso(NOW - daysAgo * DAY) });
    stub.seed('timelineActivities', [
      act(shrinking.id, 3),
      ...[35, 40, 50, 60, 70, 80, 90, 100, 110].map((d) => act(declining.id, d)),
      act(busy.id, 1),
    ]);
    const tasks = stub.seed('tasks', [
      { title: 'a', status: 'TODO', dueAt: iso(NOW - 2 * DAY) },
      { title: 'b', status: 'IN_PROGRESS', dueAt: iso(NOW - 9 * DAY) },
      { title: 'c', status: 'TODO', dueAt: iso(NOW - 1 * DAY) },
      { title: 'done', status: 'DONE', dueAt: iso(NOW - 2 * DAY) },
    ]);
    stub.seed('taskTargets', tasks.map((t) => ({ taskId: t.id, targetCompanyId: busy.id })));

    const result = await runChurn({}, env, fetch, NOW);
    assert.deepEqual([result.customers, result.updated], [4, 4]);
    const get = (id: string) => stub.all('companies').find((c) => c.id === id)!;
    assert.equal(get(canceled.id).churnRisk, 90);
    assert.equal(
      get(canceled.id).churnRiskReasons,
      'Rules: subscription canceled (+40); last payment failed (+25); no contact in 60+ days (+15); no account owner (+10).',
    );
    assert.equal(get(shrinking.id).churnRisk, 15);
    assert.match(String(get(shrinking.id).churnRiskReasons), /seats down from 8 to 5/);
    assert.equal(get(declining.id).churnRisk, 20);
    assert.match(String(get(declining.id).churnRiskReasons), /activity down by half/);
    assert.equal(get(busy.id).churnRisk, 15);
    assert.equal(get(busy.id).churnRiskReasons, 'Rules: 3 or more overdue tasks (+15).');
    assert.equal(get(busy.id).seatsPeak, 10);
    assert.equal(get(prospect.id).churnRisk, undefined, 'not a customer: left alone');

    const writes = stub.writes().length;
    await runChurn({}, env, fetch, NOW + 3_600_000);
    assert.equal(stub.writes().length, writes);
  });
});

describe('configuration and pacing', () => {
  test('bad settings are named', () => {
    assert.throws(() => loadConfig({ FORECAST_MONTHS: '0' }), /FORECAST_MONTHS must be a whole number from 1 to 24/);
    assert.throws(() => loadConfig({ CALLS_PER_MINUTE: '500' }), /CALLS_PER_MINUTE/);
    assert.throws(() => loadConfig({ FORECAST_CURRENCY: 'dollars' }), /FORECAST_CURRENCY/);
    assert.throws(() => loadConfig({ WON_STAGES: 'CUSTOMER', LOST_STAGES: 'customer' }), /both name CUSTOMER/);
    assert.deepEqual(loadConfig({}).outcomes, { won: ['CUSTOMER'], lost: ['LOST', 'CLOSED_LOST'] });
  });

  test('at most N calls in any rolling minute, and a 429 is waited out and retried', async () => {
    let t = 0;
    const slept: number[] = [];
    const clock: Clock = { now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; } };
    const answers = [429, 200, 200, 200, 200];
    const started: number[] = [];
    const inner = async () => {
      started.push(t);
      return new Response('{}', { status: answers.shift() ?? 200 });
    };
    const paced = pacedFetch(inner, 3, clock);
    for (let i = 0; i < 4; i++) assert.equal((await paced('http://x')).status, 200);
    assert.equal(paced.calls(), 5);
    for (let i = 3; i < started.length; i++) assert.ok(started[i] - started[i - 3] >= 60_000, `call ${i} at ${started[i]}`);
    assert.ok(slept.includes(20_000), 'the 429 waited 20 s');
  });

  test('a busy server (503) is retried for reads only', async () => {
    let t = 0;
    const clock: Clock = { now: () => t, sleep: async (ms) => { t += ms; } };
    const statuses: number[] = [];
    const answers = [503, 200, 503];
    const inner = async () => new Response('{}', { status: answers.shift() ?? 200 });
    const paced = pacedFetch(inner, 100, clock);
    statuses.push((await paced('http://x')).status); // GET: 503 then 200
    statuses.push((await paced('http://x', { method: 'PATCH' })).status); // a write is not repeated
    assert.deepEqual(statuses, [200, 503]);
    assert.equal(paced.calls(), 3);
  });
});
