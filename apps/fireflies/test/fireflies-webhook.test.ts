import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { hmacSha256Hex } from '@twenty-gcp/apps-shared/signatures';
import { StubHttp, StubTwenty, routeEvent } from '@twenty-gcp/apps-shared/testing';

import logicFunction, { handler } from '../src/logic-functions/fireflies-webhook';

const SECRET = 'ff-secret';
const stub = new StubTwenty();
const transcript = {
  id: 'MEET123',
  title: 'Quarterly review',
  date: 1_700_000_000_000,
  duration: 42,
  transcript_url: 'https://app.fireflies.ai/view/MEET123',
  participants: ['ada@acme.com', 'unknown@else.org'],
  meeting_attendees: [{ displayName: 'Ada Lovelace', email: 'ada@acme.com' }],
  summary: { overview: 'We agreed on the renewal.', action_items: '- Ada: send the contract', keywords: ['renewal'] },
};
const fireflies = new StubHttp(({ body }) => {
  const id = (body as { variables: { id: string } }).variables.id;
  return id === 'MEET123' ? { body: { data: { transcript } } } : { body: { data: { transcript: null }, errors: [{ message: 'not found' }] } };
});
let env: NodeJS.ProcessEnv;

const signed = (payload: unknown, secret = SECRET) => {
  const raw = JSON.stringify(payload);
  return routeEvent(raw, { 'x-hub-signature': `sha256=${hmacSha256Hex(secret, raw)}` });
};

before(async () => {
  await stub.start();
  await fireflies.start();
  env = stub.env({ FIREFLIES_WEBHOOK_SECRET: SECRET, FIREFLIES_API_KEY: 'ff-key', FIREFLIES_API_URL: fireflies.url + '/graphql' });
});
after(async () => {
  await stub.stop();
  await fireflies.stop();
});
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  fireflies.requests.length = 0;
  const [acme] = stub.seed('companies', [{ name: 'Acme' }]);
  stub.seed('people', [{ name: { firstName: 'Ada', lastName: 'Lovelace' }, emails: { primaryEmail: 'ada@acme.com' }, companyId: acme.id }]);
});

test('trigger: public POST /fireflies-webhook forwarding x-hub-signature', () => {
  assert.equal(logicFunction.success, true);
  assert.equal(logicFunction.config.httpRouteTriggerSettings?.path, '/fireflies-webhook');
  assert.deepEqual(logicFunction.config.httpRouteTriggerSettings?.forwardedRequestHeaders, ['x-hub-signature']);
});

describe('signature', () => {
  test('good signature (with or without sha256= prefix) is accepted', async () => {
    assert.equal((await handler(signed({ meetingId: 'MEET123', eventType: 'Transcription completed' }), env)).status, 200);
    const raw = JSON.stringify({ meetingId: 'MEET123' });
    const bare = routeEvent(raw, { 'x-hub-signature': hmacSha256Hex(SECRET, raw) });
    assert.equal((await handler(bare, env)).status, 200);
  });

  test('bad signature → 401, nothing fetched or written', async () => {
    const res = await handler(signed({ meetingId: 'MEET123' }, 'wrong'), env);
    assert.equal(res.status, 401);
    assert.equal(fireflies.requests.length, 0);
    assert.equal(stub.writes().length, 0);
  });

  test('missing signature → 401', async () => {
    assert.equal((await handler(routeEvent({ meetingId: 'MEET123' }), env)).status, 401);
  });
});

describe('payload', () => {
  test('missing meetingId → 400', async () => {
    const res = await handler(signed({ eventType: 'Transcription completed' }), env);
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /meetingId is required/);
  });

  test('other event types are acknowledged and ignored', async () => {
    const res = await handler(signed({ meetingId: 'MEET123', eventType: 'Meeting started' }), env);
    assert.equal((res.body as { status: string }).status, 'ignored');
    assert.equal(fireflies.requests.length, 0);
  });

  test('unknown transcript → 404', async () => {
    assert.equal((await handler(signed({ meetingId: 'NOPE' }), env)).status, 404);
  });
});

describe('Twenty calls', () => {
  test('fetches the transcript with the API key and stores a note linked to person and company', async () => {
    const res = await handler(signed({ meetingId: 'MEET123' }), env);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(fireflies.requests[0].headers.authorization, 'Bearer ff-key');
    const [note] = stub.all('notes');
    assert.equal(note.title, 'Meeting: Quarterly review');
    assert.equal(note.firefliesMeetingId, 'MEET123');
    const markdown = (note.bodyV2 as { markdown: string }).markdown;
    assert.match(markdown, /We agreed on the renewal/);
    assert.match(markdown, /send the contract/);
    const targets = stub.all('noteTargets');
    const [ada] = stub.all('people');
    assert.deepEqual(
      targets.map((t) => [t.noteId, t.targetPersonId ?? null, t.targetCompanyId ?? null]),
      [[note.id, ada.id, null], [note.id, null, ada.companyId]],
    );
    assert.equal(stub.all('people').length, 1, 'unknown participants are not created');
  });

  test('the same webhook twice stores one note', async () => {
    await handler(signed({ meetingId: 'MEET123' }), env);
    const second = await handler(signed({ meetingId: 'MEET123' }), env);
    assert.equal((second.body as { status: string }).status, 'duplicate');
    assert.equal(stub.all('notes').length, 1);
    assert.equal(stub.all('noteTargets').length, 2);
  });
});
