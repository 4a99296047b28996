// Deal health (issue 16) on fixture data: stale = nobody touched the deal (machine-written fields
// and our own alerts do not count), at most one open alert per stale deal across runs (even after
// a rename), a new one only once the previous is done, and the suggested step in the body.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubAi, StubTwenty } from '@twenty-gcp/apps-shared/testing';

import { handler as daily } from '../src/logic-functions/daily-activity-summary';
import { isTouch } from '../src/lib/deal-health';

const stub = new StubTwenty();
const offFormatAi = new StubAi(() => 'STUB: not json');
const NOW = new Date('2026-12-01T08:00:00Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

before(async () => {
  await stub.start();
  await offFormatAi.start();
});
after(async () => {
  await stub.stop();
  await offFormatAi.stop();
});
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
});

const seed = () => {
  const [jane] = stub.seed('people', [{ name: { firstName: 'Jane', lastName: 'Doe' } }]);
  const deals = stub.seed('opportunities', [
    { name: 'Quiet, with action', stage: 'PROPOSAL', createdAt: ago(60), nextBestAction: 'Call Jane about the pricing question', pointOfContactId: jane.id },
    { name: 'Quiet, rules', stage: 'MEETING', createdAt: ago(60), pointOfContactId: jane.id, winProbability: 35 },
    { name: 'Only machines wrote', stage: 'NEW', createdAt: ago(60) },
    { name: 'Emailed', stage: 'NEW', createdAt: ago(60) },
    { name: 'Stage moved', stage: 'SCREENING', createdAt: ago(60) },
    { name: 'New deal', stage: 'NEW', createdAt: ago(3) },
    { name: 'Won', stage: 'CUSTOMER', createdAt: ago(90) },
  ]);
  const [, , machines, emailed, moved] = deals;
  stub.seed('timelineActivities', [
    { name: 'opportunity.updated', targetOpportunityId: machines.id, happensAt: ago(1), properties: { diff: { winProbability: { before: null, after: 10 }, updatedBy: {} } } },
    { name: 'message.linked', targetOpportunityId: emailed.id, happensAt: ago(2) },
    { name: 'opportunity.updated', targetOpportunityId: moved.id, happensAt: ago(5), properties: { diff: { stage: { before: 'NEW', after: 'SCREENING' } } } },
    { name: 'message.linked', targetOpportunityId: deals[1].id, happensAt: ago(40) }, // before the window
  ]);
  return deals;
};

const alerts = () => stub.all('tasks').filter((t) => String(t.title).startsWith('Stale deal: '));
const body = (t: Record<string, unknown>) => (t.bodyV2 as { markdown: string }).markdown;

describe('deal health', () => {
  test('one open alert per stale deal with its suggested step; a second run raises none', async () => {
    const [withAction, rules, machines] = seed();
    const first = await daily({}, stub.env({ STALE_DEAL_DAYS: '14' }), fetch, NOW);
    assert.equal(first.staleDeals, 3);
    assert.equal(first.alertsCreated, 3);
    const byDeal = new Map(
      stub.all('taskTargets').map((t) => [t.targetOpportunityId, stub.all('tasks').find((x) => x.id === t.taskId)!]),
    );
    assert.match(body(byDeal.get(withAction.id)!), /\*\*Suggested next step:\*\* Call Jane about the pricing question$/);
    assert.match(body(byDeal.get(rules.id)!), /\*\*Suggested next step:\*\* Re-engage Jane Doe: no activity for 2–4 weeks on this deal$/);
    assert.match(body(byDeal.get(machines.id)!), /Suggested next step:\*\* Name a point of contact for this deal/);
    assert.match(body(byDeal.get(rules.id)!), /^No activity on this deal for 14\+ days \(stage MEETING\)/);

    const writes = stub.writes().length;
    const second = await daily({}, stub.env({ STALE_DEAL_DAYS: '14' }), fetch, new Date(NOW.getTime() + DAY));
    assert.deepEqual([second.staleDeals, second.alertsCreated, second.alertsAlreadyOpen], [3, 0, 3]);
    assert.equal(alerts().length, 3);
    // The second day's digest note is new; no task was written.
    assert.ok(stub.writes().slice(writes).every((w) => w.path.startsWith('/rest/notes')));
  });

  test('a renamed deal still has its open alert; a done alert lets the next one through', async () => {
    const [withAction] = seed();
    await daily({}, stub.env(), fetch, NOW);
    stub.table('opportunities').set(withAction.id, { ...stub.table('opportunities').get(withAction.id)!, name: 'Renamed' });
    assert.equal((await daily({}, stub.env(), fetch, NOW)).alertsCreated, 0);
    const open = alerts().find((t) => t.title === 'Stale deal: Quiet, with action')!;
    stub.table('tasks').set(open.id, { ...open, status: 'DONE' });
    const third = await daily({}, stub.env(), fetch, NOW);
    assert.equal(third.alertsCreated, 1);
    assert.ok(alerts().some((t) => t.title === 'Stale deal: Renamed' && t.status === 'TODO'));
  });

  test('an AI that answers off-format leaves the digest as numbers and the alerts still run', async () => {
    seed();
    const res = await daily({}, stub.env(offFormatAi.env()), fetch, NOW);
    assert.equal(res.alertsCreated, 3);
    assert.match(body(stub.all('notes')[0]), /AI digest unavailable/);
  });

  test('touches: own-field diffs and our alert tasks are not; a person\'s change, a note, a task are', () => {
    const ev = (name: string, extra: Record<string, unknown> = {}) => ({ id: 'e', name, ...extra });
    assert.equal(isTouch(ev('opportunity.updated', { properties: { diff: { nextBestAction: {}, nextBestActionAt: {}, updatedBy: {} } } })), false);
    assert.equal(isTouch(ev('opportunity.updated', { properties: { diff: { amount: {}, updatedBy: {} } } })), true);
    assert.equal(isTouch(ev('linked-task.created', { linkedRecordCachedName: 'Stale deal: X' })), false);
    assert.equal(isTouch(ev('linked-task.created', { linkedRecordCachedName: 'Send the contract' })), true);
    assert.equal(isTouch(ev('linked-note.created')), true);
    assert.equal(isTouch(ev('opportunity.created')), false);
  });

  test('a bad STALE_DEAL_DAYS is named', async () => {
    await assert.rejects(daily({}, stub.env({ STALE_DEAL_DAYS: 'two weeks' }), fetch, NOW), /STALE_DEAL_DAYS must be a whole number/);
  });
});
