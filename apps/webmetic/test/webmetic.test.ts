import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubHttp, StubTwenty, routeEvent } from '@twenty-gcp/apps-shared/testing';

import webhook, { handler } from '../src/logic-functions/webmetic-webhook';
import hourly, { handler as runHourly } from '../src/logic-functions/webmetic-hourly-sync';
import websiteLead from '../src/objects/website-lead';

const SECRET = 'wm-secret';
const stub = new StubTwenty();
const visit = (id = 'v1', domain = 'acme.com') => ({
  id,
  company: { name: 'Acme Inc', domain },
  visitedAt: '2026-11-21T09:30:00Z',
  pageViews: 4,
  durationSeconds: 180,
  score: 72,
  referrer: 'https://google.com',
  pages: ['/pricing', '/demo'],
});
const webmetic = new StubHttp(() => ({ body: { visitors: [visit('v1'), visit('v2', 'www.globex.io'), { id: 'broken' }] } }));
let env: NodeJS.ProcessEnv;
const call = (body: unknown, secret: string | null = SECRET) =>
  handler(routeEvent(body, secret === null ? {} : { 'x-webmetic-secret': secret }), env);

before(async () => {
  await stub.start();
  await webmetic.start();
  env = stub.env({ WEBMETIC_WEBHOOK_SECRET: SECRET, WEBMETIC_API_KEY: 'wm-key', WEBMETIC_DOMAIN: 'our.site', WEBMETIC_API_URL: webmetic.url + '/v1' });
});
after(async () => {
  await stub.stop();
  await webmetic.stop();
});
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  webmetic.requests.length = 0;
  stub.seed('companies', [{ name: 'Acme', domainName: { primaryLinkUrl: 'https://www.acme.com' } }]);
});

describe('definitions', () => {
  test('route /webmetic-webhook and an hourly cron', () => {
    assert.equal(webhook.config.httpRouteTriggerSettings?.path, '/webmetic-webhook');
    assert.deepEqual(hourly.config.cronTriggerSettings, { pattern: '0 * * * *' });
  });
  test('websiteLead object with a company relation', () => {
    assert.equal(websiteLead.success, true, String(websiteLead.errors));
    const company = websiteLead.config.fields.find((f) => f.name === 'company')!;
    assert.equal(company.type, 'RELATION');
  });
});

describe('webhook', () => {
  test('wrong secret → 401', async () => {
    assert.equal((await call(visit(), 'nope')).status, 401);
    assert.equal(stub.requests.length, 0);
  });

  for (const [what, body, message] of [
    ['missing company', { ...visit(), company: undefined }, /body\.company must be an object/],
    ['bad domain', { ...visit(), company: { domain: 'not a domain' } }, /company\.domain is not a domain/],
    ['bad date', { ...visit(), visitedAt: 'soon' }, /visitedAt must be an ISO date/],
    ['negative pages', { ...visit(), pageViews: -1 }, /pageViews must be a non-negative number/],
  ] as const) {
    test(`${what} → 400`, async () => {
      const res = await call(body);
      assert.equal(res.status, 400);
      assert.match(JSON.stringify(res.body), message);
    });
  }

  test('a visit from a known domain → lead linked to the existing company', async () => {
    const res = await call(visit());
    assert.deepEqual(res.body, { created: 1, updated: 0, unchanged: 0 });
    const [lead] = stub.all('websiteLeads');
    const [acme] = stub.all('companies');
    assert.equal(lead.companyId, acme.id);
    assert.equal(lead.webmeticId, 'v1');
    assert.equal(lead.pageViews, 4);
    assert.equal(lead.pages, '/pricing\n/demo');
    assert.equal(stub.all('companies').length, 1);
  });

  test('a visit from an unknown domain creates the company', async () => {
    await call({ visitors: [visit('v9', 'https://www.globex.io/about')] });
    const globex = stub.all('companies').find((c) => c.name === 'Acme Inc')!;
    assert.deepEqual(globex.domainName, { primaryLinkUrl: 'https://globex.io' });
    assert.equal(stub.all('websiteLeads')[0].companyId, globex.id);
  });

  test('the same visit twice = one lead; a changed visit updates it', async () => {
    await call(visit());
    const again = await call(visit());
    assert.deepEqual(again.body, { created: 0, updated: 0, unchanged: 1 });
    const changed = await call({ ...visit(), pageViews: 9 });
    assert.deepEqual(changed.body, { created: 0, updated: 1, unchanged: 0 });
    assert.equal(stub.all('websiteLeads').length, 1);
    assert.equal(stub.all('websiteLeads')[0].pageViews, 9);
  });
});

describe('hourly pull', () => {
  test('asks Webmetic for the last two hours and imports valid visits idempotently', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const result = await runHourly({}, env, fetch, now);
    assert.deepEqual(result, { created: 2, updated: 0, unchanged: 0 });
    const [req] = webmetic.requests;
    assert.equal(req.path, '/v1/visitors');
    assert.equal(req.query.get('domain'), 'our.site');
    assert.equal(req.query.get('since'), '2026-11-22T08:00:00.000Z');
    assert.equal(req.headers.authorization, 'Bearer wm-key');
    assert.deepEqual(await runHourly({}, env, fetch, now), { created: 0, updated: 0, unchanged: 2 });
  });

  test('without API settings the pull fails clearly', async () => {
    await assert.rejects(runHourly({}, stub.env()), /WEBMETIC_API_KEY, WEBMETIC_DOMAIN and WEBMETIC_API_URL/);
  });
});
