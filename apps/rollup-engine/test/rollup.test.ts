import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubTwenty, databaseEvent } from '@twenty-gcp/apps-shared/testing';

import onOpportunity, { handler as onEvent } from '../src/logic-functions/rollup-on-opportunity';
import nightly, { handler as runNightly } from '../src/logic-functions/rollup-nightly';
import { DEFAULT_RULES, ROLLUP_INPUTS, computeRollup, loadRules } from '../src/lib/rollup';

const stub = new StubTwenty();
let env: NodeJS.ProcessEnv;
let acme: string;
let globex: string;
const usd = (dollars: number) => ({ amountMicros: dollars * 1_000_000, currencyCode: 'USD' });

before(async () => {
  await stub.start();
  env = stub.env();
});
after(() => stub.stop());
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  [{ id: acme }, { id: globex }] = stub.seed('companies', [{ name: 'Acme' }, { name: 'Globex', opportunityCount: 3 }]);
  stub.seed('opportunities', [
    { name: 'A1', companyId: acme, stage: 'NEW', amount: usd(100), closeDate: '2026-01-10T00:00:00.000Z' },
    { name: 'A2', companyId: acme, stage: 'CUSTOMER', amount: usd(250), closeDate: '2026-03-01T00:00:00.000Z' },
    { name: 'A3', companyId: acme, stage: 'CUSTOMER', amount: usd(50), closeDate: '2026-02-01T00:00:00.000Z' },
    { name: 'A4', companyId: acme, stage: 'PROPOSAL', amount: { amountMicros: 9_000_000, currencyCode: 'EUR' } },
  ]);
});

describe('triggers', () => {
  test('opportunity.* database events (updates of a rolled-up input only) and a nightly cron at 02:00', () => {
    assert.deepEqual(onOpportunity.config.databaseEventTriggerSettings, {
      eventName: 'opportunity.*',
      updatedFields: ['companyId', 'stage', 'amount', 'closeDate'],
    });
    assert.deepEqual(nightly.config.cronTriggerSettings, { pattern: '0 2 * * *' });
  });

  test('a change outside ROLLUP_INPUTS moves no rollup, whatever the rules', () => {
    const rules = loadRules(
      JSON.stringify([
        ...DEFAULT_RULES,
        { target: 'firstClose', aggregate: 'min', field: 'closeDate', excludeStages: ['NEW'] },
        { target: 'newCount', aggregate: 'count', stages: ['NEW'] },
      ]),
    );
    const opps = stub.all('opportunities');
    const before = computeRollup(opps, rules, 'USD');
    // what the other apps write on a deal: its scores, actions, names; never a rollup input
    const touched = opps.map((o) => ({
      ...o,
      name: `${o.name} (renamed)`,
      winProbability: 77,
      nextBestAction: 'Call them',
      nextBestActionAt: '2026-12-07T00:00:00.000Z',
      pointOfContactId: 'someone',
    }));
    assert.deepEqual(computeRollup(touched, rules, 'USD'), before);
    for (const field of ROLLUP_INPUTS.filter((f) => f !== 'companyId')) {
      const moved = opps.map((o, i) => (i === 1 ? { ...o, [field]: field === 'stage' ? 'NEW' : null } : o));
      assert.notDeepEqual(computeRollup(moved, rules, 'USD'), before, `${field} is read by the rules`);
    }
  });
});

describe('rules', () => {
  test('default rules: count, open pipeline, won amount, last close date', () => {
    const opps = stub.all('opportunities');
    assert.deepEqual(computeRollup(opps, DEFAULT_RULES, 'USD'), {
      opportunityCount: 4,
      openPipelineAmount: usd(100), // EUR opportunity skipped
      wonAmount: usd(300),
      lastCloseDate: '2026-03-01T00:00:00.000Z',
    });
  });

  test('custom rules from ROLLUP_RULES, and clear errors for bad ones', () => {
    const rules = loadRules(JSON.stringify([{ target: 'biggestDeal', aggregate: 'max', field: 'amount' }]));
    assert.deepEqual(computeRollup(stub.all('opportunities'), rules, 'USD'), { biggestDeal: usd(250) });
    assert.throws(() => loadRules('{'), /not valid JSON/);
    assert.throws(() => loadRules('[{"target":"x","aggregate":"avg"}]'), /aggregate must be one of/);
    assert.throws(() => loadRules('[{"target":"x","aggregate":"sum"}]'), /field must be one of/);
  });
});

describe('on opportunity events', () => {
  test('recomputes the company and patches only what changed', async () => {
    await onEvent(databaseEvent('opportunity.updated', { id: 'o', companyId: acme }, { id: 'o', companyId: acme }), env);
    const company = stub.all('companies').find((c) => c.id === acme)!;
    assert.equal(company.opportunityCount, 4);
    assert.deepEqual(company.wonAmount, usd(300));
    const patches = stub.writes();
    assert.equal(patches.length, 1);
    assert.equal(patches[0].path, `/rest/companies/${acme}`);
  });

  test('the same event twice writes once', async () => {
    const event = databaseEvent('opportunity.created', { id: 'o', companyId: acme });
    await onEvent(event, env);
    await onEvent(event, env);
    assert.equal(stub.writes().length, 1);
  });

  test('moving an opportunity to another company recomputes both', async () => {
    await onEvent(databaseEvent('opportunity.updated', { id: 'o', companyId: acme }, { id: 'o', companyId: globex }), env);
    const g = stub.all('companies').find((c) => c.id === globex)!;
    assert.equal(g.opportunityCount, 0);
  });
});

describe('nightly', () => {
  test('recomputes every company with opportunities and resets companies that lost theirs', async () => {
    const result = await runNightly({}, env);
    assert.deepEqual(result, { companies: 2, updated: 2 });
    assert.equal(stub.all('companies').find((c) => c.id === globex)!.opportunityCount, 0);
    const again = await runNightly({}, env);
    assert.equal(again.updated, 0, 'a second run changes nothing');
  });
});
