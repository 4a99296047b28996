import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { hmacSha256Hex } from '@twenty-gcp/apps-shared/signatures';
import { StubTwenty, routeEvent } from '@twenty-gcp/apps-shared/testing';

import logicFunction, { handler } from '../src/logic-functions/stripe-webhook';
import { toAmountMicros } from '../src/lib/sync';

const SECRET = 'whsec_test_secret';
const stub = new StubTwenty();
let env: NodeJS.ProcessEnv;

const signed = (payload: object, { secret = SECRET, at = Math.floor(Date.now() / 1000) } = {}) => {
  const raw = JSON.stringify(payload);
  return routeEvent(raw, { 'stripe-signature': `t=${at},v1=${hmacSha256Hex(secret, `${at}.${raw}`)}` });
};

const subscriptionEvent = (id: string, created: number, status = 'active', quantity = 5) => ({
  id,
  type: 'customer.subscription.updated',
  created,
  data: {
    object: {
      id: 'sub_1',
      object: 'subscription',
      customer: 'cus_123',
      status,
      items: { data: [{ quantity, price: { id: 'price_1', nickname: 'Team' } }] },
    },
  },
});

before(async () => {
  await stub.start();
  env = stub.env({ STRIPE_WEBHOOK_SECRET: SECRET });
});
after(() => stub.stop());
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  stub.seed('companies', [{ name: 'Acme', stripeCustomerId: 'cus_123', domainName: { primaryLinkUrl: 'https://acme.com' } }]);
});

describe('trigger', () => {
  test('is a public POST route /stripe-webhook forwarding the Stripe-Signature header', () => {
    assert.equal(logicFunction.success, true, String(logicFunction.errors));
    assert.deepEqual(logicFunction.config.httpRouteTriggerSettings, {
      path: '/stripe-webhook',
      httpMethod: 'POST',
      isAuthRequired: false,
      forwardedRequestHeaders: ['stripe-signature'],
    });
  });
});

describe('signature', () => {
  test('a good signature is accepted', async () => {
    const res = await handler(signed(subscriptionEvent('evt_1', 1_700_000_000)), env);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  test('a wrong secret is refused with 401 and nothing is written', async () => {
    const res = await handler(signed(subscriptionEvent('evt_1', 1), { secret: 'whsec_other' }), env);
    assert.equal(res.status, 401);
    assert.match(String((res.body as { error: string }).error), /does not match/);
    assert.equal(stub.requests.length, 0);
  });

  test('an expired timestamp is refused with 401', async () => {
    const old = Math.floor(Date.now() / 1000) - 301;
    const res = await handler(signed(subscriptionEvent('evt_1', 1), { at: old }), env);
    assert.equal(res.status, 401);
    assert.match(String((res.body as { error: string }).error), /tolerance/);
  });

  test('a tampered body is refused', async () => {
    const event = signed(subscriptionEvent('evt_1', 1));
    event.rawBody = event.rawBody.replace('"active"', '"canceled"');
    assert.equal((await handler(event, env)).status, 401);
  });

  test('a missing or malformed header is a 400', async () => {
    assert.equal((await handler(routeEvent(subscriptionEvent('evt_1', 1)), env)).status, 400);
    const bad = routeEvent(subscriptionEvent('evt_1', 1), { 'stripe-signature': 'garbage' });
    assert.equal((await handler(bad, env)).status, 400);
  });

  test('a missing signing secret is a 500 naming the variable', async () => {
    const res = await handler(signed(subscriptionEvent('evt_1', 1)), stub.env());
    assert.equal(res.status, 500);
    assert.match(JSON.stringify(res.body), /STRIPE_WEBHOOK_SECRET/);
  });
});

describe('payload validation', () => {
  test('not JSON → 400', async () => {
    const at = Math.floor(Date.now() / 1000);
    const raw = 'not json';
    const event = routeEvent(raw, { 'stripe-signature': `t=${at},v1=${hmacSha256Hex(SECRET, `${at}.${raw}`)}` });
    assert.equal((await handler(event, env)).status, 400);
  });

  test('an event without a customer → 400', async () => {
    const payload = { id: 'evt_x', type: 'invoice.paid', created: 1, data: { object: { id: 'in_1' } } };
    const res = await handler(signed(payload), env);
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /customer/);
  });

  test('an unhandled event type is acknowledged and ignored', async () => {
    const payload = { id: 'evt_y', type: 'charge.refunded', created: 1, data: { object: {} } };
    const res = await handler(signed(payload), env);
    assert.equal(res.status, 200);
    assert.equal((res.body as { status: string }).status, 'ignored');
    assert.equal(stub.requests.length, 0);
  });
});

describe('mapping and Twenty calls', () => {
  test('a subscription update sets status, seats and plan on the company', async () => {
    const res = await handler(signed(subscriptionEvent('evt_1', 1_700_000_000, 'past_due', 7)), env);
    assert.equal(res.status, 200);
    const [company] = stub.all('companies');
    assert.equal(company.subscriptionStatus, 'PAST_DUE');
    assert.equal(company.subscriptionSeats, 7);
    assert.equal(company.subscriptionPlan, 'Team');
    assert.equal(company.stripeSubscriptionId, 'sub_1');
    assert.equal(company.stripeLastEventId, 'evt_1');
    const calls = stub.requests.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(calls, ['GET /rest/companies', `PATCH /rest/companies/${company.id}`]);
    assert.equal(stub.requests[0].query.get('filter'), 'stripeCustomerId[eq]:"cus_123"');
  });

  test('a paid invoice records the amount in micros and the payment time', async () => {
    const payload = {
      id: 'evt_2',
      type: 'invoice.paid',
      created: 1_700_000_100,
      data: { object: { id: 'in_1', customer: 'cus_123', currency: 'eur', amount_paid: 4900, status_transitions: { paid_at: 1_700_000_050 } } },
    };
    assert.equal((await handler(signed(payload), env)).status, 200);
    const [company] = stub.all('companies');
    assert.deepEqual(company.lastPaymentAmount, { amountMicros: 49_000_000, currencyCode: 'EUR' });
    assert.equal(company.lastPaymentAt, new Date(1_700_000_050_000).toISOString());
    assert.equal(company.lastPaymentStatus, 'PAID');
  });

  test('zero-decimal currencies convert without the cent factor', () => {
    assert.equal(toAmountMicros(500, 'jpy'), 500_000_000);
    assert.equal(toAmountMicros(500, 'usd'), 5_000_000);
  });

  test('a new customer creates the company and the person, linked', async () => {
    stub.store.clear();
    const payload = {
      id: 'evt_3',
      type: 'customer.created',
      created: 1_700_000_000,
      data: { object: { id: 'cus_999', object: 'customer', email: 'Grace@Globex.io', name: 'Grace Hopper' } },
    };
    assert.equal((await handler(signed(payload), env)).status, 200);
    const [company] = stub.all('companies');
    assert.equal(company.name, 'Grace Hopper');
    assert.equal(company.stripeCustomerId, 'cus_999');
    assert.deepEqual(company.domainName, { primaryLinkUrl: 'https://globex.io' });
    const [person] = stub.all('people');
    assert.deepEqual(person.name, { firstName: 'Grace', lastName: 'Hopper' });
    assert.deepEqual(person.emails, { primaryEmail: 'grace@globex.io' });
    assert.equal(person.companyId, company.id);
    assert.equal(person.stripeCustomerId, 'cus_999');
  });

  test('a customer whose email domain matches an existing company is attached to it', async () => {
    const payload = {
      id: 'evt_4',
      type: 'customer.created',
      created: 1_700_000_000,
      data: { object: { id: 'cus_new', object: 'customer', email: 'bob@acme.com', name: 'Bob' } },
    };
    stub.store.clear();
    stub.seed('companies', [{ name: 'Acme', domainName: { primaryLinkUrl: 'https://acme.com' } }]);
    assert.equal((await handler(signed(payload), env)).status, 200);
    assert.equal(stub.all('companies').length, 1);
    assert.equal(stub.all('companies')[0].stripeCustomerId, 'cus_new');
  });
});

describe('idempotence', () => {
  test('the same event twice makes one change', async () => {
    const event = subscriptionEvent('evt_1', 1_700_000_000);
    assert.equal((await handler(signed(event), env)).status, 200);
    const writesAfterFirst = stub.writes().length;
    const second = await handler(signed(event), env);
    assert.equal(second.status, 200);
    assert.equal((second.body as { status: string }).status, 'duplicate');
    assert.equal(stub.writes().length, writesAfterFirst);
  });

  test('the same new-customer event twice creates one company and one person', async () => {
    stub.store.clear();
    const payload = {
      id: 'evt_5',
      type: 'customer.created',
      created: 1_700_000_000,
      data: { object: { id: 'cus_777', object: 'customer', email: 'x@initech.com', name: 'X Y' } },
    };
    await handler(signed(payload), env);
    await handler(signed(payload), env);
    assert.equal(stub.all('companies').length, 1);
    assert.equal(stub.all('people').length, 1);
  });

  test('a customer event arriving after its subscription still creates the person and names the company', async () => {
    stub.store.clear();
    const sub = { ...subscriptionEvent('evt_s', 1_700_000_100), data: { object: { ...subscriptionEvent('x', 1).data.object, customer: 'cus_late' } } };
    await handler(signed(sub), env);
    assert.equal(stub.all('companies')[0].name, 'Stripe customer cus_late');
    const customer = {
      id: 'evt_c',
      type: 'customer.created',
      created: 1_700_000_000,
      data: { object: { id: 'cus_late', object: 'customer', email: 'late@umbrella.io', name: 'Umbrella' } },
    };
    assert.equal(((await handler(signed(customer), env)).body as { status: string }).status, 'applied');
    assert.equal(stub.all('companies')[0].name, 'Umbrella');
    assert.equal(stub.all('companies')[0].subscriptionStatus, 'ACTIVE');
    assert.equal(stub.all('people').length, 1);
  });

  test('an older payment arriving late does not overwrite a newer one', async () => {
    const invoice = (id: string, paidAt: number, amount: number) => ({
      id, type: 'invoice.paid', created: paidAt,
      data: { object: { id: 'in_' + id, customer: 'cus_123', currency: 'usd', amount_paid: amount, status_transitions: { paid_at: paidAt } } },
    });
    await handler(signed(invoice('evt_p2', 1_700_000_200, 200)), env);
    const late = await handler(signed(invoice('evt_p1', 1_700_000_100, 100)), env);
    assert.equal((late.body as { status: string }).status, 'stale');
    assert.deepEqual(stub.all('companies')[0].lastPaymentAmount, { amountMicros: 2_000_000, currencyCode: 'USD' });
  });

  test('an older event arriving late does not overwrite a newer one', async () => {
    await handler(signed(subscriptionEvent('evt_new', 1_700_000_100, 'canceled')), env);
    const res = await handler(signed(subscriptionEvent('evt_old', 1_700_000_000, 'active')), env);
    assert.equal((res.body as { status: string }).status, 'stale');
    assert.equal(stub.all('companies')[0].subscriptionStatus, 'CANCELED');
  });
});
