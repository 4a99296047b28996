// Every public route answers malformed input — with valid credentials, so validation is reached —
// with a 4xx (or 200 for acknowledged/ignored events), never a 5xx and never an exception.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { hmacSha256Hex } from '../src/signatures';
import { StubTwenty, routeEvent } from '../src/testing';
import type { HttpResponse, RouteEvent } from '../src/http';

import { handler as stripe } from '../../stripe-synchronizer/src/logic-functions/stripe-webhook';
import { handler as fireflies } from '../../fireflies/src/logic-functions/fireflies-webhook';
import { handler as transcript } from '../../meeting-transcript/src/logic-functions/meeting-transcript-webhook';
import { handler as mailchimp } from '../../mailchimp-synchronizer/src/logic-functions/mailchimp-webhook';
import { handler as webmetic } from '../../webmetic/src/logic-functions/webmetic-webhook';

// A small deterministic generator of hostile JSON-ish bodies.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)];
const value = (depth: number): unknown => {
  const kinds = ['null', 'num', 'str', 'bool', 'arr', 'obj'];
  switch (pick(depth > 3 ? kinds.slice(0, 4) : kinds)) {
    case 'null': return null;
    case 'num': return pick([0, -1, 1e308, 3.5, Number.MAX_SAFE_INTEGER]);
    case 'str': return pick(['', 'x', 'evt_1', 'cus_1', 'a@b.co', 'not an email', '2026-11-20 10:00:00', '💥', 'a'.repeat(1000)]);
    case 'bool': return pick([true, false]);
    case 'arr': return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
    default: {
      const keys = ['id', 'type', 'created', 'data', 'object', 'customer', 'meetingId', 'eventType', 'externalId', 'title',
        'transcript', 'participants', 'email', 'company', 'domain', 'visitedAt', 'visitors', 'pageViews', 'fired_at'];
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [pick(keys), value(depth + 1)]));
    }
  }
};
const FIXED = ['', 'null', '[]', '{}', '"text"', '{"data":5}', 'a=b&c', '{"type":"subscribe"}', '{'.repeat(50),
  '{"id":"evt_1","type":"customer.created","created":1,"data":{"object":[]}}',
  '{"id":"evt_1","type":"invoice.paid","created":"yesterday","data":{"object":{"customer":5}}}',
  '{"externalId":5,"title":[],"transcript":{},"participants":[{"email":null}]}',
  '{"visitors":[{"id":"v","company":{"domain":"x"},"visitedAt":"2026-01-01"}],"extra":1}',
  '{"id":"evt_1","type":"customer.subscription.updated","created":1e308,"data":{"object":{"customer":"cus_1"}}}',
  '{"id":"evt_1","type":"invoice.paid","created":1,"data":{"object":{"customer":"cus_1","status_transitions":{"paid_at":1e308}}}}',
  'type=subscribe&fired_at=2026-13-45+99%3A99%3A99&data%5Bemail%5D=a%40b.co',
  '{"id":"v","company":{"domain":"acme.com"},"visitedAt":"+275760-09-13T00:00:00.001Z"}'];
const bodies = [...FIXED, ...Array.from({ length: 40 }, () => JSON.stringify(value(0)))];

const stub = new StubTwenty();
let env: NodeJS.ProcessEnv;
const now = () => Math.floor(Date.now() / 1000);

const routes: [string, (raw: string) => Promise<HttpResponse>][] = [
  ['stripe-webhook', (raw) => { const t = now(); return stripe(routeEvent(raw, { 'stripe-signature': `t=${t},v1=${hmacSha256Hex('s1', `${t}.${raw}`)}` }) as RouteEvent, env); }],
  ['fireflies-webhook', (raw) => fireflies(routeEvent(raw, { 'x-hub-signature': hmacSha256Hex('s2', raw) }) as RouteEvent, env)],
  ['meeting-transcript', (raw) => transcript(routeEvent(raw, { 'x-webhook-secret': 's3' }) as RouteEvent, env)],
  ['mailchimp-webhook', (raw) => mailchimp(routeEvent(raw, {}, { secret: 's4' }) as RouteEvent, env)],
  ['webmetic-webhook', (raw) => webmetic(routeEvent(raw, { 'x-webmetic-secret': 's5' }) as RouteEvent, env)],
];

before(async () => {
  await stub.start();
  env = stub.env({
    STRIPE_WEBHOOK_SECRET: 's1', FIREFLIES_WEBHOOK_SECRET: 's2', FIREFLIES_API_KEY: 'k',
    FIREFLIES_API_URL: 'http://127.0.0.1:9/unreachable', MEETING_TRANSCRIPT_SECRET: 's3',
    MAILCHIMP_WEBHOOK_SECRET: 's4', WEBMETIC_WEBHOOK_SECRET: 's5',
  });
});
after(() => stub.stop());

describe('public routes never crash on malformed input', () => {
  for (const [name, call] of routes) {
    test(name, async () => {
      for (const raw of bodies) {
        const res = await call(raw);
        const ok = (res.status >= 400 && res.status < 500) || res.status === 200 || (name === 'fireflies-webhook' && res.status === 502);
        assert.ok(ok, `${name} answered ${res.status} ${JSON.stringify(res.body)} to ${raw.slice(0, 120)}`);
      }
    });
  }
});
