import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HttpError, handleRoute, jsonBody, rawBodyOf, respond } from '../src/http';
import { hmacSha256Hex, safeEqual, verifyHmacHex, verifySharedSecret, verifyStripeSignature } from '../src/signatures';
import { TwentyApiError } from '../src/twenty';

const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as HttpError).status;
  }
  return 200;
};

test('safeEqual: equal, different, different lengths', () => {
  assert.equal(safeEqual('abc', 'abc'), true);
  assert.equal(safeEqual('abc', 'abd'), false);
  assert.equal(safeEqual('abc', 'abcd'), false);
});

test('Stripe: any v1 may match; timestamp tolerance both ways', () => {
  const payload = '{"id":"evt_1"}';
  const t = 1_700_000_000;
  const good = hmacSha256Hex('s', `${t}.${payload}`);
  const header = `t=${t},v1=deadbeef,v1=${good},v0=ignored`;
  assert.equal(verifyStripeSignature({ payload, header, secret: 's', nowSeconds: t + 10 }), t);
  assert.equal(status(() => verifyStripeSignature({ payload, header, secret: 's', nowSeconds: t + 301 })), 401);
  assert.equal(status(() => verifyStripeSignature({ payload, header, secret: 's', nowSeconds: t - 301 })), 401);
  assert.equal(status(() => verifyStripeSignature({ payload, header: `t=${t}`, secret: 's', nowSeconds: t })), 400);
  assert.equal(status(() => verifyStripeSignature({ payload, header: undefined, secret: 's', nowSeconds: t })), 400);
});

test('HMAC hex and shared secret', () => {
  const sig = hmacSha256Hex('k', 'body');
  assert.equal(status(() => verifyHmacHex({ payload: 'body', signature: sig.toUpperCase(), secret: 'k', headerName: 'x' })), 200);
  assert.equal(status(() => verifyHmacHex({ payload: 'body!', signature: sig, secret: 'k', headerName: 'x' })), 401);
  assert.equal(status(() => verifySharedSecret('a', 'a', 'secret')), 200);
  assert.equal(status(() => verifySharedSecret(undefined, 'a', 'secret')), 401);
});

test('bodies: raw body wins; base64; non-objects refused', () => {
  assert.equal(rawBodyOf({ rawBody: 'raw', body: { a: 1 } }), 'raw');
  assert.equal(rawBodyOf({ body: Buffer.from('hi').toString('base64'), isBase64Encoded: true }), 'hi');
  assert.deepEqual(jsonBody({ rawBody: '{"a":1}' }), { a: 1 });
  assert.equal(status(() => jsonBody({ rawBody: '[1]' })), 400);
  assert.equal(status(() => jsonBody({ body: null })), 400);
});

test('handleRoute maps errors to statuses and never leaks a stack', async () => {
  assert.deepEqual(await handleRoute({}, async () => ({ ok: 1 })), respond(200, { ok: 1 }));
  assert.equal((await handleRoute({}, async () => { throw new HttpError(422, 'nope'); })).status, 422);
  const crash = await handleRoute({}, async () => { throw new Error('db password is hunter2'); });
  assert.equal(crash.status, 502);
  assert.doesNotMatch(JSON.stringify(crash.body), /hunter2/);
  // Twenty refusing the data: a resend cannot help, so not 502 (a live 2.21.0 refused a URL with "_")
  const refused = await handleRoute({}, async () => { throw new TwentyApiError(400, 'POST', '/rest/companies', { messages: ['bad url'] }); });
  assert.equal(refused.status, 422);
  const limited = await handleRoute({}, async () => { throw new TwentyApiError(429, 'GET', '/rest/companies', {}); });
  assert.equal(limited.status, 502);
});
