import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubAi, StubHttp, StubTwenty, databaseEvent } from '@twenty-gcp/apps-shared/testing';

import assignFn, { handler as assign } from '../src/logic-functions/assign-pipeline';
import followCreateFn, { handler as followUp } from '../src/logic-functions/follow-up-on-create';
import followUpdateFn from '../src/logic-functions/follow-up-on-update';
import enrichFn, { handler as enrich } from '../src/logic-functions/enrich-contact';
import scoreCreateFn, { handler as score } from '../src/logic-functions/score-on-create';
import scoreUpdateFn from '../src/logic-functions/score-on-update';
import stageFn, { handler as stageTasks } from '../src/logic-functions/stage-change-tasks';
import dailyFn, { handler as daily } from '../src/logic-functions/daily-activity-summary';
import calendarFn, { handler as calendar } from '../src/logic-functions/calendar-sync-refresh';
import messagingFn, { handler as messaging } from '../src/logic-functions/messaging-sync-refresh';
import { loadPipelineRules, scoreOpportunity } from '../src/lib/opportunity';

const stub = new StubTwenty();
const ai = new StubAi((prompt) =>
  prompt.includes('Email:') ? { jobTitle: 'CTO', city: 'Paris', confidence: 'high' } : { summary: 'Quiet day; 1 stale deal.' },
);
const enrichment = new StubHttp(({ query }) =>
  query.get('email') === 'ada@acme.com' ? { body: { jobTitle: 'Analyst', city: 'London', linkedinUrl: 'https://linkedin.com/in/ada' } } : { status: 404, body: {} },
);
const now = new Date('2026-11-22T08:00:00Z');
let tim: string;
const usd = (n: number) => ({ amountMicros: n * 1_000_000, currencyCode: 'USD' });
const env = (extra: Record<string, string> = {}) => stub.env({ ALERT_ASSIGNEE_EMAIL: 'tim@apple.dev', ...extra });

before(async () => {
  await stub.start();
  await ai.start();
  await enrichment.start();
});
after(async () => {
  await stub.stop();
  await ai.stop();
  await enrichment.stop();
});
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  ai.requests.length = 0;
  enrichment.requests.length = 0;
  [{ id: tim }] = stub.seed('workspaceMembers', [{ name: { firstName: 'Tim', lastName: 'Apple' }, userEmail: 'tim@apple.dev' }]);
});

describe('triggers and cron schedules', () => {
  test('database events', () => {
    assert.deepEqual(assignFn.config.databaseEventTriggerSettings, { eventName: 'opportunity.created' });
    assert.deepEqual(followCreateFn.config.databaseEventTriggerSettings, { eventName: 'opportunity.created' });
    assert.equal(followUpdateFn.config.databaseEventTriggerSettings?.eventName, 'opportunity.updated');
    assert.deepEqual(enrichFn.config.databaseEventTriggerSettings, { eventName: 'person.created' });
    assert.deepEqual(scoreCreateFn.config.databaseEventTriggerSettings, { eventName: 'opportunity.created' });
    assert.equal(scoreUpdateFn.config.databaseEventTriggerSettings?.eventName, 'opportunity.updated');
    assert.deepEqual(stageFn.config.databaseEventTriggerSettings, { eventName: 'opportunity.updated', updatedFields: ['stage'] });
  });

  test('daily-activity-summary 08:00; calendar every 30 min 09–18 Mon–Fri; messaging every 15 min 08–19 Mon–Fri', () => {
    assert.deepEqual(dailyFn.config.cronTriggerSettings, { pattern: '0 8 * * *' });
    assert.deepEqual(calendarFn.config.cronTriggerSettings, { pattern: '*/30 9-18 * * 1-5' });
    assert.deepEqual(messagingFn.config.cronTriggerSettings, { pattern: '*/15 8-19 * * 1-5' });
  });
});

describe('auto-pipeline assignment', () => {
  const rules = JSON.stringify([
    { minAmount: 100000, ownerEmail: 'tim@apple.dev', stage: 'SCREENING' },
    { maxAmount: 100000, ownerEmail: 'nobody@apple.dev' },
  ]);

  test('a large new deal gets the rule owner and starting stage; a second run changes nothing', async () => {
    const [opp] = stub.seed('opportunities', [{ name: 'Big', amount: usd(250000), stage: 'NEW', ownerId: null }]);
    const res = await assign(databaseEvent('opportunity.created', { id: opp.id }), env({ PIPELINE_RULES: rules }));
    assert.equal(res.status, 'assigned');
    const stored = stub.all('opportunities')[0];
    assert.equal(stored.ownerId, tim);
    assert.equal(stored.stage, 'SCREENING');
    const again = await assign(databaseEvent('opportunity.created', { id: opp.id }), env({ PIPELINE_RULES: rules }));
    assert.equal(again.status, 'skipped');
  });

  test('no member for the rule, or no rules → skipped; bad rules fail clearly', async () => {
    const [opp] = stub.seed('opportunities', [{ name: 'Small', amount: usd(10), ownerId: null }]);
    assert.match(String((await assign(databaseEvent('opportunity.created', { id: opp.id }), env({ PIPELINE_RULES: rules }))).reason), /no workspace member/);
    assert.equal((await assign(databaseEvent('opportunity.created', { id: opp.id }), env())).status, 'skipped');
    assert.throws(() => loadPipelineRules('[{"minAmount":1}]'), /ownerEmail must be/);
  });
});

describe('follow-up and stage tasks', () => {
  test('one open follow-up task per deal, linked, due in FOLLOW_UP_DAYS', async () => {
    const [company] = stub.seed('companies', [{ name: 'Acme' }]);
    const [opp] = stub.seed('opportunities', [{ name: 'Deal', stage: 'MEETING', ownerId: tim, companyId: company.id }]);
    const event = databaseEvent('opportunity.created', { id: opp.id });
    assert.equal((await followUp(event, env(), fetch, now)).status, 'created');
    assert.equal((await followUp(event, env(), fetch, now)).status, 'exists');
    const [task] = stub.all('tasks');
    assert.equal(task.title, 'Follow up: Deal');
    assert.equal(task.assigneeId, tim);
    assert.equal(task.dueAt, '2026-11-25T08:00:00.000Z');
    assert.deepEqual(stub.all('taskTargets').map((t) => t.targetOpportunityId ?? t.targetCompanyId).sort(), [opp.id, company.id].sort());
  });

  test('a stage change creates that stage task once', async () => {
    const event = databaseEvent('opportunity.updated', { id: 'o1', name: 'Deal', stage: 'PROPOSAL', ownerId: tim }, { id: 'o1', stage: 'MEETING' }, ['stage']);
    assert.equal((await stageTasks(event, env(), fetch, now)).status, 'created');
    assert.equal((await stageTasks(event, env(), fetch, now)).status, 'exists');
    const [task] = stub.all('tasks');
    assert.equal(task.title, 'PROPOSAL: Deal');
    assert.match((task.bodyV2 as { markdown: string }).markdown, /Send the proposal/);
    const unchanged = databaseEvent('opportunity.updated', { id: 'o1', stage: 'PROPOSAL' }, { id: 'o1', stage: 'PROPOSAL' });
    assert.equal((await stageTasks(unchanged, env(), fetch, now)).status, 'skipped');
  });
});

describe('contact enrichment', () => {
  test('enrichment API configured: fills only empty fields and marks the person', async () => {
    const [ada] = stub.seed('people', [{ name: { firstName: 'Ada' }, emails: { primaryEmail: 'ada@acme.com' }, jobTitle: 'Countess', city: '' }]);
    const e = env({ ENRICHMENT_API_URL: enrichment.url + '/enrich', ENRICHMENT_API_KEY: 'ek' });
    const res = await enrich(databaseEvent('person.created', { id: ada.id }), e);
    assert.deepEqual(res, { status: 'enriched', fields: ['city', 'linkedinLink'] });
    const p = stub.all('people')[0];
    assert.equal(p.jobTitle, 'Countess');
    assert.equal(p.city, 'London');
    assert.equal(p.enrichmentSource, 'API');
    assert.equal(enrichment.requests[0].headers.authorization, 'Bearer ek');
    assert.equal((await enrich(databaseEvent('person.created', { id: ada.id }), e)).status, 'skipped-already-enriched');
    assert.equal(enrichment.requests.length, 1);
  });

  test('no enrichment API: the AI fills fields when it is confident', async () => {
    const [bob] = stub.seed('people', [{ name: { firstName: 'Bob' }, emails: { primaryEmail: 'bob@x.io' } }]);
    const res = await enrich(databaseEvent('person.created', { id: bob.id }), env(ai.env()));
    assert.deepEqual(res, { status: 'enriched', fields: ['jobTitle', 'city'] });
    assert.equal(stub.all('people')[0].enrichmentSource, 'AI');
  });

  test('nothing configured → skipped, no write', async () => {
    const [bob] = stub.seed('people', [{ name: { firstName: 'Bob' } }]);
    assert.equal((await enrich(databaseEvent('person.created', { id: bob.id }), env())).status, 'skipped-not-configured');
    assert.equal(stub.writes().length, 0);
  });
});

describe('opportunity scoring', () => {
  test('score rules', () => {
    assert.equal(scoreOpportunity({ stage: 'PROPOSAL', pointOfContactId: 'p', amount: usd(60000) }, 50000, now), 90);
    assert.equal(scoreOpportunity({ stage: 'NEW', closeDate: '2026-01-01T00:00:00Z' }, 50000, now), 0);
    assert.equal(scoreOpportunity({ stage: 'CUSTOMER' }, 50000, now), 100);
  });

  test('writes aiScore only when it changes and ignores its own update', async () => {
    const [opp] = stub.seed('opportunities', [{ name: 'D', stage: 'MEETING' }]);
    assert.equal((await score(databaseEvent('opportunity.created', { id: opp.id }), env(), fetch, now)).status, 'scored');
    assert.equal(stub.all('opportunities')[0].aiScore, 45);
    assert.equal((await score(databaseEvent('opportunity.created', { id: opp.id }), env(), fetch, now)).status, 'unchanged');
    const own = databaseEvent('opportunity.updated', { id: opp.id }, { id: opp.id }, ['aiScore']);
    assert.equal((await score(own, env(), fetch, now)).status, 'skipped-own-change');
  });
});

describe('daily activity summary', () => {
  test('AI digest note once a day and one alert task per stale deal', async () => {
    stub.seed('people', [{ name: { firstName: 'New' }, createdAt: '2026-11-21T12:00:00.000Z' }]);
    stub.seed('opportunities', [
      { name: 'Old deal', stage: 'MEETING', updatedAt: '2026-10-01T00:00:00.000Z', createdAt: '2026-09-01T00:00:00.000Z' },
      { name: 'Fresh deal', stage: 'NEW', updatedAt: '2026-11-21T12:00:00.000Z', createdAt: '2026-11-21T12:00:00.000Z' },
      { name: 'Won', stage: 'CUSTOMER', updatedAt: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z' },
    ]);
    const first = await daily({}, env(ai.env()), fetch, now);
    assert.deepEqual(first.stats, { people: 1, companies: 0, opportunities: 1 });
    assert.equal(first.noteCreated, true);
    assert.equal(first.alertsCreated, 1);
    const [note] = stub.all('notes');
    assert.equal(note.title, 'Daily CRM summary 2026-11-22');
    assert.match((note.bodyV2 as { markdown: string }).markdown, /Quiet day/);
    const [alert] = stub.all('tasks');
    assert.equal(alert.title, 'Stale deal: Old deal');
    assert.equal(alert.assigneeId, tim);
    const second = await daily({}, env(ai.env()), fetch, now);
    assert.equal(second.noteCreated, false);
    assert.equal(second.alertsCreated, 0);
    assert.equal(stub.all('tasks').length, 1);
  });
});

describe('sync health', () => {
  test('failing channels raise one open alert each', async () => {
    stub.graphqlAnswers.push({
      match: 'myMessageChannels',
      answer: { data: { myMessageChannels: [
        { id: 'c1', handle: 'tim@apple.dev', syncStatus: 'ACTIVE', syncStage: 'MESSAGE_LIST_FETCH_PENDING', isSyncEnabled: true },
        { id: 'c2', handle: 'sales@apple.dev', syncStatus: 'FAILED_INSUFFICIENT_PERMISSIONS', syncStage: 'FAILED', isSyncEnabled: true },
      ] } },
    });
    const res = await messaging({}, env());
    assert.deepEqual(res, { checked: true, channels: 2, failing: 1, alertsCreated: 1 });
    assert.equal(stub.all('tasks')[0].title, 'Email sync failing: sales@apple.dev');
    assert.equal((await messaging({}, env())).alertsCreated, 0);
    const call = stub.requests.find((r) => r.path === '/metadata')!;
    assert.match(String((call.body as { query: string }).query), /myMessageChannels \{ id handle syncStatus syncStage isSyncEnabled syncedAt \}/);
    stub.graphqlAnswers.length = 0;
  });

  test('when the channels cannot be read the run says so and raises nothing', async () => {
    const res = await calendar({}, env());
    assert.equal(res.checked, false);
    assert.equal(stub.all('tasks').length, 0);
  });
});
