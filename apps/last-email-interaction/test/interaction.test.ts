import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubTwenty, databaseEvent } from '@twenty-gcp/apps-shared/testing';

import onMessage, { handler as onCreated } from '../src/logic-functions/on-message-created';
import daily, { handler as runDaily } from '../src/logic-functions/daily-interaction-refresh';
import { statusFor, thresholdsFromEnv } from '../src/lib/interaction';

const stub = new StubTwenty();
let env: NodeJS.ProcessEnv;
let ada: string;
let acme: string;
const now = Date.now();
const iso = (daysBack: number) => new Date(now - daysBack * 86_400_000).toISOString();

before(async () => {
  await stub.start();
  env = stub.env({ ACTIVE_DAYS: '30', COOLING_DAYS: '90' });
});
after(() => stub.stop());
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  [{ id: acme }] = stub.seed('companies', [{ name: 'Acme', lastEmailAt: iso(40), interactionStatus: 'COOLING' }]);
  [{ id: ada }] = stub.seed('people', [{ name: { firstName: 'Ada' }, companyId: acme }]);
});

const message = (id: string, receivedAt: string) => {
  stub.seed('messages', [{ id, receivedAt, subject: 'Hi' }]);
  stub.seed('messageParticipants', [{ messageId: id, personId: ada, role: 'FROM', handle: 'ada@acme.com' }]);
  return databaseEvent('message.created', { id, receivedAt });
};

test('triggers: message.created and a daily cron at 05:00', () => {
  assert.deepEqual(onMessage.config.databaseEventTriggerSettings, { eventName: 'message.created' });
  assert.deepEqual(daily.config.cronTriggerSettings, { pattern: '0 5 * * *' });
});

describe('on message.created', () => {
  test('sets last email date and ACTIVE on the person and the company', async () => {
    const at = iso(1);
    await onCreated(message('m1', at), env);
    const person = stub.all('people')[0];
    assert.equal(person.lastEmailAt, at);
    assert.equal(person.interactionStatus, 'ACTIVE');
    const company = stub.all('companies')[0];
    assert.equal(company.lastEmailAt, at);
    assert.equal(company.interactionStatus, 'ACTIVE');
    assert.equal(stub.requests.find((r) => r.path === '/rest/messageParticipants')?.query.get('filter'), 'messageId[eq]:"m1"');
  });

  test('the same event twice writes once; an older email never moves the date back', async () => {
    const event = message('m1', iso(1));
    await onCreated(event, env);
    const writes = stub.writes().length;
    await onCreated(event, env);
    await onCreated(message('m0', iso(10)), env);
    assert.equal(stub.writes().length, writes);
    assert.equal(stub.all('people')[0].lastEmailAt, iso(1));
  });
});

describe('daily refresh', () => {
  test('catches up on recent messages and ages statuses', async () => {
    stub.seed('people', [{ name: { firstName: 'Old' }, lastEmailAt: iso(100), interactionStatus: 'ACTIVE' }]);
    stub.seed('messages', [{ id: 'm9', receivedAt: iso(1) }]);
    stub.seed('messageParticipants', [{ messageId: 'm9', personId: ada }]);
    const result = await runDaily({}, env);
    assert.equal(result.messages, 1);
    const people = stub.all('people');
    assert.equal(people.find((p) => p.id === ada)!.interactionStatus, 'ACTIVE');
    assert.equal(people.find((p) => p.id !== ada)!.interactionStatus, 'DORMANT');
    assert.equal((await runDaily({}, env)).writes, 0, 'second run writes nothing');
  });
});

test('status thresholds and their validation', () => {
  const t = { activeDays: 30, coolingDays: 90 };
  assert.equal(statusFor(iso(29), t), 'ACTIVE');
  assert.equal(statusFor(iso(31), t), 'COOLING');
  assert.equal(statusFor(iso(91), t), 'DORMANT');
  assert.throws(() => thresholdsFromEnv({ ACTIVE_DAYS: '90', COOLING_DAYS: '30' }), /COOLING_DAYS greater/);
});
