import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubHttp, StubTwenty, databaseEvent, routeEvent } from '@twenty-gcp/apps-shared/testing';

import webhook, { handler } from '../src/logic-functions/mailchimp-webhook';
import check, { handler as checkHandler } from '../src/logic-functions/mailchimp-webhook-check';
import created, { handler as push } from '../src/logic-functions/push-person-created';
import updated from '../src/logic-functions/push-person-updated';
import { subscriberHash } from '../src/lib/mailchimp';

const SECRET = 'mc-secret';
const stub = new StubTwenty();
const mailchimp = new StubHttp(() => ({ body: { id: 'member' } }));
let env: NodeJS.ProcessEnv;

const form = (fields: Record<string, string>, secret: string | null = SECRET) =>
  routeEvent(new URLSearchParams(fields).toString(), {}, secret === null ? {} : { secret });
const subscribe = (email = 'Ada@Acme.com', firedAt = '2026-11-20 10:00:00') => ({
  type: 'subscribe',
  fired_at: firedAt,
  'data[list_id]': 'aud1',
  'data[email]': email,
  'data[merges][FNAME]': 'Ada',
  'data[merges][LNAME]': 'Lovelace',
});

before(async () => {
  await stub.start();
  await mailchimp.start();
  env = stub.env({
    MAILCHIMP_WEBHOOK_SECRET: SECRET,
    MAILCHIMP_API_KEY: 'key-us21',
    MAILCHIMP_AUDIENCE_ID: 'aud1',
    MAILCHIMP_API_URL: mailchimp.url + '/3.0',
  });
});
after(async () => {
  await stub.stop();
  await mailchimp.stop();
});
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  mailchimp.requests.length = 0;
});

describe('triggers', () => {
  test('POST and GET /mailchimp-webhook; person.created and person.updated(name, emails)', () => {
    assert.equal(webhook.config.httpRouteTriggerSettings?.httpMethod, 'POST');
    assert.equal(check.config.httpRouteTriggerSettings?.httpMethod, 'GET');
    assert.equal(check.config.httpRouteTriggerSettings?.path, '/mailchimp-webhook');
    assert.deepEqual(created.config.databaseEventTriggerSettings, { eventName: 'person.created' });
    assert.deepEqual(updated.config.databaseEventTriggerSettings, { eventName: 'person.updated', updatedFields: ['name', 'emails'] });
  });

  test('the GET check answers 200', async () => assert.equal((await checkHandler(routeEvent(''))).status, 200));
});

describe('secret and validation', () => {
  test('wrong or missing secret → 401, nothing written', async () => {
    assert.equal((await handler(form(subscribe(), 'bad'), env)).status, 401);
    assert.equal((await handler(form(subscribe(), null), env)).status, 401);
    assert.equal(stub.requests.length, 0);
  });

  for (const [what, fields, message] of [
    ['unknown type', { ...subscribe(), type: 'campaign' }, /type must be one of/],
    ['bad email', { ...subscribe(), 'data[email]': 'nope' }, /data\[email\] must be an email/],
    ['bad fired_at', { ...subscribe(), fired_at: 'now' }, /fired_at must be/],
    ['other audience', { ...subscribe(), 'data[list_id]': 'other' }, /not the configured audience/],
  ] as const) {
    test(`${what} → 400`, async () => {
      const res = await handler(form(fields as Record<string, string>), env);
      assert.equal(res.status, 400);
      assert.match(JSON.stringify(res.body), message);
    });
  }
});

describe('inbound events', () => {
  test('subscribe creates the person as SUBSCRIBED', async () => {
    const res = await handler(form(subscribe()), env);
    assert.equal((res.body as { status: string }).status, 'created');
    const [p] = stub.all('people');
    assert.deepEqual(p.emails, { primaryEmail: 'ada@acme.com' });
    assert.deepEqual(p.name, { firstName: 'Ada', lastName: 'Lovelace' });
    assert.equal(p.mailchimpStatus, 'SUBSCRIBED');
    assert.equal(p.mailchimpLastEventAt, '2026-11-20T10:00:00.000Z');
  });

  test('the same subscribe twice = one person, no second write', async () => {
    await handler(form(subscribe()), env);
    const writes = stub.writes().length;
    const res = await handler(form(subscribe()), env);
    assert.equal((res.body as { status: string }).status, 'unchanged');
    assert.equal(stub.writes().length, writes);
    assert.equal(stub.all('people').length, 1);
  });

  test('unsubscribe, then a late older subscribe is ignored', async () => {
    await handler(form(subscribe()), env);
    await handler(form({ type: 'unsubscribe', fired_at: '2026-11-21 09:00:00', 'data[list_id]': 'aud1', 'data[email]': 'ada@acme.com' }), env);
    assert.equal(stub.all('people')[0].mailchimpStatus, 'UNSUBSCRIBED');
    const late = await handler(form(subscribe('ada@acme.com', '2026-11-20 12:00:00')), env);
    assert.equal((late.body as { status: string }).status, 'stale');
    assert.equal(stub.all('people')[0].mailchimpStatus, 'UNSUBSCRIBED');
  });

  test('upemail changes the primary email; unknown people are not created by unsubscribe', async () => {
    await handler(form(subscribe()), env);
    await handler(
      form({ type: 'upemail', fired_at: '2026-11-22 08:00:00', 'data[list_id]': 'aud1', 'data[old_email]': 'ada@acme.com', 'data[new_email]': 'ada@new.io' }),
      env,
    );
    assert.deepEqual(stub.all('people')[0].emails, { primaryEmail: 'ada@new.io' });
    const res = await handler(form({ type: 'unsubscribe', fired_at: '2026-11-22 08:00:00', 'data[email]': 'who@x.io' }), env);
    assert.equal((res.body as { status: string }).status, 'ignored-unknown-person');
  });

  test('JSON bodies are accepted too', async () => {
    const body = { type: 'subscribe', fired_at: '2026-11-20 10:00:00', data: { email: 'bob@x.io', merges: { FNAME: 'Bob' } } };
    const res = await handler(routeEvent(body, {}, { secret: SECRET }), env);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });
});

describe('outbound push', () => {
  const person = { id: 'p1', name: { firstName: 'Ada', lastName: 'L' }, emails: { primaryEmail: 'Ada@Acme.com' } };

  test('person.created → PUT the member by subscriber hash, status_if_new pending', async () => {
    const res = await push(databaseEvent('person.created', person), env);
    assert.equal(res.status, 'pushed');
    const [call] = mailchimp.requests;
    assert.equal(call.method, 'PUT');
    assert.equal(call.path, `/3.0/lists/aud1/members/${subscriberHash('ada@acme.com')}`);
    assert.deepEqual(call.body, { email_address: 'ada@acme.com', status_if_new: 'pending', merge_fields: { FNAME: 'Ada', LNAME: 'L' } });
    assert.equal(call.headers.authorization, `Basic ${Buffer.from('twenty:key-us21').toString('base64')}`);
  });

  test('our own inbound writes are not pushed back; people without email are skipped', async () => {
    const own = databaseEvent('person.updated', person, person, ['mailchimpStatus', 'mailchimpLastEventAt']);
    assert.equal((await push(own, env)).status, 'skipped-own-change');
    assert.equal((await push(databaseEvent('person.created', { id: 'p2', emails: { primaryEmail: '' } }), env)).status, 'skipped-no-email');
    assert.equal(mailchimp.requests.length, 0);
  });

  test('missing Mailchimp settings fail clearly', async () => {
    await assert.rejects(push(databaseEvent('person.created', person), stub.env()), /MAILCHIMP_API_KEY and MAILCHIMP_AUDIENCE_ID/);
  });
});
