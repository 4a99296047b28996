// Mailchimp ⇄ Twenty people. Inbound: Mailchimp's webhook (form-encoded, unsigned — protected by
// a secret in the URL and strict validation) for subscribe / unsubscribe / cleaned / profile /
// upemail. Outbound: person.created/updated → PUT the audience member (an idempotent upsert).
import { createHash } from 'node:crypto';

import { ConfigError, EMAIL_RE, HttpError, type RouteEvent } from '@twenty-gcp/apps-shared/http';
import { eq, type FetchLike, type TwentyClient } from '@twenty-gcp/apps-shared/twenty';

export const EVENT_TYPES = ['subscribe', 'unsubscribe', 'cleaned', 'profile', 'upemail'] as const;
export type MailchimpEvent = {
  type: (typeof EVENT_TYPES)[number];
  firedAt: string;
  listId?: string;
  email: string;
  newEmail?: string;
  firstName?: string;
  lastName?: string;
};

/** Mailchimp posts application/x-www-form-urlencoded (`data[merges][FNAME]=…`); JSON is accepted too. */
export const parseForm = (event: RouteEvent): Record<string, string> => {
  const raw = typeof event.rawBody === 'string' ? event.rawBody : '';
  if (raw && !raw.trimStart().startsWith('{')) return Object.fromEntries(new URLSearchParams(raw));
  const flat: Record<string, string> = {};
  const walk = (value: unknown, prefix: string) => {
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}[${k}]` : k);
    } else if (value !== undefined && value !== null) flat[prefix] = String(value);
  };
  let body: unknown = event.body;
  if (raw) {
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'request body is neither form-encoded nor JSON');
    }
  }
  walk(body, '');
  return flat;
};

const email = (value: string | undefined, field: string): string => {
  const v = (value ?? '').trim().toLowerCase();
  if (!EMAIL_RE.test(v)) throw new HttpError(400, `${field} must be an email address`);
  return v;
};

export const parseEvent = (form: Record<string, string>): MailchimpEvent => {
  const type = form.type as MailchimpEvent['type'];
  if (!EVENT_TYPES.includes(type)) throw new HttpError(400, `type must be one of ${EVENT_TYPES.join(', ')}`);
  // fired_at is "YYYY-MM-DD HH:MM:SS" in UTC
  const fired = form.fired_at ?? '';
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(fired)) throw new HttpError(400, 'fired_at must be "YYYY-MM-DD HH:MM:SS"');
  const firedMs = Date.parse(fired.replace(' ', 'T') + 'Z');
  if (Number.isNaN(firedMs)) throw new HttpError(400, 'fired_at is not a valid date');
  const firedAt = new Date(firedMs).toISOString();
  if (type === 'upemail') {
    return { type, firedAt, listId: form['data[list_id]'], email: email(form['data[old_email]'], 'data[old_email]'), newEmail: email(form['data[new_email]'], 'data[new_email]') };
  }
  return {
    type,
    firedAt,
    listId: form['data[list_id]'],
    email: email(form['data[email]'], 'data[email]'),
    firstName: form['data[merges][FNAME]'] || undefined,
    lastName: form['data[merges][LNAME]'] || undefined,
  };
};

const STATUS: Record<string, string> = { subscribe: 'SUBSCRIBED', unsubscribe: 'UNSUBSCRIBED', cleaned: 'CLEANED' };

export const applyEvent = async (twenty: TwentyClient, e: MailchimpEvent): Promise<{ status: string; personId?: string }> => {
  const person = await twenty.findOne('people', eq('emails.primaryEmail', e.email));
  const last = typeof person?.mailchimpLastEventAt === 'string' ? Date.parse(person.mailchimpLastEventAt) : NaN;
  if (person && !Number.isNaN(last) && Date.parse(e.firedAt) < last) return { status: 'stale', personId: person.id };
  if (!person) {
    if (e.type !== 'subscribe') return { status: 'ignored-unknown-person' };
    const created = await twenty.create('people', {
      name: { firstName: e.firstName ?? e.email.split('@')[0], lastName: e.lastName ?? '' },
      emails: { primaryEmail: e.email },
      mailchimpStatus: 'SUBSCRIBED',
      mailchimpLastEventAt: e.firedAt,
    });
    return { status: 'created', personId: created.id };
  }
  const patch: Record<string, unknown> = {};
  if (STATUS[e.type] && person.mailchimpStatus !== STATUS[e.type]) patch.mailchimpStatus = STATUS[e.type];
  const name = (person.name ?? {}) as { firstName?: string; lastName?: string };
  if ((e.type === 'profile' || e.type === 'subscribe') && (e.firstName || e.lastName)) {
    const next = { firstName: e.firstName ?? name.firstName ?? '', lastName: e.lastName ?? name.lastName ?? '' };
    if (next.firstName !== name.firstName || next.lastName !== name.lastName) patch.name = next;
  }
  if (e.type === 'upemail' && e.newEmail) patch.emails = { primaryEmail: e.newEmail };
  if (Object.keys(patch).length === 0) return { status: 'unchanged', personId: person.id };
  await twenty.update('people', person.id, { ...patch, mailchimpLastEventAt: e.firedAt });
  return { status: 'updated', personId: person.id };
};

// ---------------------------------------------------------------- outbound

export type MailchimpConfig = { apiUrl: string; apiKey: string; audienceId: string; newMemberStatus: string };

export const mailchimpConfig = (env: NodeJS.ProcessEnv): MailchimpConfig => {
  const apiKey = env.MAILCHIMP_API_KEY;
  const audienceId = env.MAILCHIMP_AUDIENCE_ID;
  if (!apiKey || !audienceId) throw new ConfigError('MAILCHIMP_API_KEY and MAILCHIMP_AUDIENCE_ID must be set');
  const dc = apiKey.split('-')[1];
  const apiUrl = env.MAILCHIMP_API_URL || (dc ? `https://${dc}.api.mailchimp.com/3.0` : '');
  if (!apiUrl) throw new ConfigError('MAILCHIMP_API_KEY must end with -<datacenter> (e.g. -us21) or set MAILCHIMP_API_URL');
  const newMemberStatus = env.MAILCHIMP_NEW_MEMBER_STATUS || 'pending';
  if (!['pending', 'subscribed'].includes(newMemberStatus)) throw new ConfigError('MAILCHIMP_NEW_MEMBER_STATUS must be pending or subscribed');
  return { apiUrl: apiUrl.replace(/\/+$/, ''), apiKey, audienceId, newMemberStatus };
};

export const subscriberHash = (address: string): string => createHash('md5').update(address.trim().toLowerCase()).digest('hex');

// Our own inbound writes touch only these; pushing them back would echo Mailchimp's own change.
export const INBOUND_FIELDS = ['mailchimpStatus', 'mailchimpLastEventAt', 'updatedAt', 'updatedBy'];

export const pushPerson = async (
  config: MailchimpConfig,
  person: Record<string, unknown>,
  fetchImpl: FetchLike = fetch,
): Promise<{ status: string; hash?: string }> => {
  const address = String((person.emails as { primaryEmail?: string } | undefined)?.primaryEmail ?? '').toLowerCase();
  if (!EMAIL_RE.test(address)) return { status: 'skipped-no-email' };
  const name = (person.name ?? {}) as { firstName?: string; lastName?: string };
  const hash = subscriberHash(address);
  const response = await fetchImpl(`${config.apiUrl}/lists/${config.audienceId}/members/${hash}`, {
    method: 'PUT',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`twenty:${config.apiKey}`).toString('base64')}`,
    },
    body: JSON.stringify({
      email_address: address,
      status_if_new: config.newMemberStatus,
      merge_fields: { FNAME: name.firstName ?? '', LNAME: name.lastName ?? '' },
    }),
  });
  if (!response.ok) throw new Error(`Mailchimp answered ${response.status}`);
  return { status: 'pushed', hash };
};
