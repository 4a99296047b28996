import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubTwenty, routeEvent } from '@twenty-gcp/apps-shared/testing';

import logicFunction, { handler } from '../src/logic-functions/meeting-transcript-webhook';

const SECRET = 'mt-secret-value';
const stub = new StubTwenty();
let env: NodeJS.ProcessEnv;
const payload = {
  externalId: 'call-42',
  title: 'Discovery call',
  startedAt: '2026-11-20T10:00:00Z',
  transcript: 'Ada: We need 20 seats.\nBob: Send the proposal by Friday.',
  participants: [
    { name: 'Ada Lovelace', email: 'ada@acme.com' },
    { name: 'Bob Builder', email: 'Bob@Initech.com' },
  ],
};
const call = (body: unknown, secret: string | null = SECRET) =>
  handler(routeEvent(body, secret === null ? {} : { 'x-webhook-secret': secret }), env);

before(async () => {
  await stub.start();
  env = stub.env({ MEETING_TRANSCRIPT_SECRET: SECRET });
});
after(() => stub.stop());
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  const [acme, initech] = stub.seed('companies', [
    { name: 'Acme', domainName: { primaryLinkUrl: 'https://acme.com' } },
    { name: 'Initech', domainName: { primaryLinkUrl: 'initech.com' } },
  ]);
  stub.seed('people', [{ name: { firstName: 'Ada', lastName: 'Lovelace' }, emails: { primaryEmail: 'ada@acme.com' }, companyId: acme.id }]);
  void initech;
});

test('trigger: public POST /meeting-transcript forwarding x-webhook-secret', () => {
  assert.equal(logicFunction.success, true);
  assert.equal(logicFunction.config.httpRouteTriggerSettings?.path, '/meeting-transcript');
  assert.deepEqual(logicFunction.config.httpRouteTriggerSettings?.forwardedRequestHeaders, ['x-webhook-secret']);
});

describe('shared secret', () => {
  test('right secret → 200', async () => assert.equal((await call(payload)).status, 200));
  test('wrong secret → 401, nothing written', async () => {
    assert.equal((await call(payload, 'nope')).status, 401);
    assert.equal(stub.requests.length, 0);
  });
  test('no secret → 401', async () => assert.equal((await call(payload, null)).status, 401));
});

describe('validation', () => {
  for (const [what, body, expected] of [
    ['missing transcript', { ...payload, transcript: undefined }, /transcript is required/],
    ['bad email', { ...payload, participants: [{ email: 'not-an-email' }] }, /participants\[0\]\.email is not an email/],
    ['participants not a list', { ...payload, participants: 'ada' }, /participants must be a list/],
    ['bad date', { ...payload, startedAt: 'yesterday' }, /startedAt must be an ISO date/],
  ] as const) {
    test(`${what} → 400`, async () => {
      const res = await call(body);
      assert.equal(res.status, 400);
      assert.match(JSON.stringify(res.body), expected);
    });
  }
  test('body not JSON → 400', async () => assert.equal((await call('{oops')).status, 400));
});

describe('storing', () => {
  test('a note linked to known and new people and their companies, then marked READY', async () => {
    const res = await call(payload);
    assert.equal((res.body as { status: string }).status, 'created');
    const [note] = stub.all('notes');
    assert.equal(note.title, 'Transcript: Discovery call');
    assert.equal(note.transcriptExternalId, 'call-42');
    assert.equal(note.transcriptStatus, 'READY');
    assert.match((note.bodyV2 as { markdown: string }).markdown, /We need 20 seats/);
    const people = stub.all('people');
    assert.equal(people.length, 2);
    const bob = people.find((p) => (p.emails as { primaryEmail: string }).primaryEmail === 'bob@initech.com')!;
    assert.deepEqual(bob.name, { firstName: 'Bob', lastName: 'Builder' });
    const initech = stub.all('companies').find((c) => c.name === 'Initech')!;
    assert.equal(bob.companyId, initech.id);
    const targets = stub.all('noteTargets');
    assert.equal(targets.filter((t) => t.targetPersonId).length, 2);
    assert.equal(targets.filter((t) => t.targetCompanyId).length, 2);
    // the READY patch is the last write, after every link
    const last = stub.writes().at(-1)!;
    assert.equal(last.method, 'PATCH');
    assert.deepEqual(last.body, { transcriptStatus: 'READY' });
  });

  test('the same transcript twice = one note, no new people or links', async () => {
    await call(payload);
    const writes = stub.writes().length;
    const res = await call(payload);
    assert.equal((res.body as { status: string }).status, 'duplicate');
    assert.equal(stub.writes().length, writes);
    assert.equal(stub.all('notes').length, 1);
  });

  test('a run interrupted before READY is resumed without duplicating links', async () => {
    const [note] = stub.seed('notes', [{ title: 'Transcript: Discovery call', transcriptExternalId: 'call-42', transcriptStatus: 'RECEIVED' }]);
    const ada = stub.all('people')[0];
    stub.seed('noteTargets', [{ noteId: note.id, targetPersonId: ada.id }]);
    const res = await call(payload);
    assert.equal((res.body as { status: string }).status, 'resumed');
    assert.equal(stub.all('notes').length, 1);
    assert.equal(stub.all('noteTargets').filter((t) => t.targetPersonId === ada.id).length, 1);
    assert.equal(stub.all('notes')[0].transcriptStatus, 'READY');
  });
});
