// Signature checks for incoming webhooks. Every comparison is constant-time.
import { createHmac, createHash, timingSafeEqual } from 'node:crypto';

import { HttpError } from './http';

/** Constant-time string equality (hashing first makes unequal lengths constant-time too). */
export const safeEqual = (a: string, b: string): boolean => {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db) && a.length === b.length;
};

export const hmacSha256Hex = (secret: string, payload: string): string =>
  createHmac('sha256', secret).update(payload, 'utf8').digest('hex');

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, v1 = HMAC-SHA256(secret, "<t>.<raw body>").
 * Rejects a timestamp further than `toleranceSeconds` from now (replays), like Stripe's libraries.
 */
export const verifyStripeSignature = (opts: {
  payload: string;
  header: string | undefined;
  secret: string;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): number => {
  const { payload, header, secret, toleranceSeconds = 300 } = opts;
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!header) throw new HttpError(400, 'missing Stripe-Signature header');
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new HttpError(400, 'malformed Stripe-Signature header: expected t=<timestamp>,v1=<signature>');
  }
  const expected = hmacSha256Hex(secret, `${timestamp}.${payload}`);
  if (!signatures.some((sig) => safeEqual(sig, expected))) {
    throw new HttpError(401, 'Stripe signature does not match');
  }
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    throw new HttpError(401, `Stripe signature timestamp is outside the ${toleranceSeconds}s tolerance`);
  }
  return timestamp;
};

/** `<prefix><hex HMAC-SHA256(secret, raw body)>` as sent by Fireflies (`x-hub-signature: sha256=…`). */
export const verifyHmacHex = (opts: {
  payload: string;
  signature: string | undefined;
  secret: string;
  headerName: string;
}): void => {
  const { payload, signature, secret, headerName } = opts;
  if (!signature) throw new HttpError(401, `missing ${headerName} header`);
  const given = signature.startsWith('sha256=') ? signature.slice('sha256='.length) : signature;
  if (!safeEqual(given.toLowerCase(), hmacSha256Hex(secret, payload))) {
    throw new HttpError(401, `${headerName} does not match the payload`);
  }
};

/** A shared secret sent by the caller (header or query); constant-time, never logged. */
export const verifySharedSecret = (given: string | undefined, expected: string, what: string): void => {
  if (!given) throw new HttpError(401, `missing ${what}`);
  if (!safeEqual(given, expected)) throw new HttpError(401, `${what} is wrong`);
};
