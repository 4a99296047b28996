import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { StubAi, StubTwenty } from '@twenty-gcp/apps-shared/testing';

import logicFunction, { handler } from '../src/logic-functions/summarise-activity';

const stub = new StubTwenty();
const ai = new StubAi(() => ({ summary: '- Ada met the team\n- Proposal sent' }));
const now = new Date('2026-11-22T07:00:00Z');
let acme: string;

before(async () => {
  await stub.start();
  await ai.start();
});
after(async () => {
  await stub.stop();
  await ai.stop();
});
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  ai.requests.length = 0;
  const [a, b] = stub.seed('companies', [{ name: 'Acme' }, { name: 'Quiet Co' }]);
  acme = a.id;
  stub.seed('timelineActivities', [
    { happensAt: '2026-11-21T15:00:00.000Z', name: 'linked-note.created', linkedRecordCachedName: 'Call with Ada', targetCompanyId: acme },
    { happensAt: '2026-11-21T16:00:00.000Z', name: 'company.updated', targetCompanyId: acme },
    { happensAt: '2026-11-10T10:00:00.000Z', name: 'company.updated', targetCompanyId: b.id },
    { happensAt: '2026-11-21T17:00:00.000Z', name: 'linked-note.created', linkedRecordCachedName: 'Activity summary 2026-11-21 – Acme', targetCompanyId: b.id },
  ]);
});

test('cron: daily at 07:00', () => {
  assert.deepEqual(logicFunction.config.cronTriggerSettings, { pattern: '0 7 * * *' });
});

test('one AI-written note per active account, linked to it; quiet accounts and our own notes skipped', async () => {
  const result = await handler({}, stub.env(ai.env()), fetch, now);
  assert.deepEqual(result, { companies: 1, created: 1, existing: 0 });
  const [note] = stub.all('notes');
  assert.equal(note.title, 'Activity summary 2026-11-22 – Acme');
  assert.match((note.bodyV2 as { markdown: string }).markdown, /Proposal sent/);
  assert.match(ai.requests[0].messages[1].content, /note created: Call with Ada/);
  assert.deepEqual(stub.all('noteTargets').map((t) => t.targetCompanyId), [acme]);
  const query = stub.requests.find((r) => r.path === '/rest/timelineActivities')!.query.get('filter');
  assert.equal(query, 'and(happensAt[gte]:"2026-11-21T07:00:00.000Z",targetCompanyId[is]:NOT_NULL)');
});

test('without AI settings the summary is a plain list', async () => {
  await handler({}, stub.env(), fetch, now);
  assert.match((stub.all('notes')[0].bodyV2 as { markdown: string }).markdown, /^2 activities:/);
  assert.equal(ai.requests.length, 0);
});

test('running twice the same day creates no second note', async () => {
  await handler({}, stub.env(), fetch, now);
  const second = await handler({}, stub.env(), fetch, now);
  assert.deepEqual(second, { companies: 1, created: 0, existing: 1 });
  assert.equal(stub.all('notes').length, 1);
});

test('a bad ACTIVITY_DAYS fails clearly', async () => {
  await assert.rejects(handler({}, stub.env({ ACTIVITY_DAYS: '0' }), fetch, now), /ACTIVITY_DAYS must be between 1 and 31/);
});
