// Maps Stripe events onto Twenty companies and people. The company holds the Stripe customer id,
// the subscription, seats, status and the last payment; the person holding the customer's email
// gets the customer id too. Idempotence and ordering: see applyStripeEvent.
import { HttpError, obj, str } from '@twenty-gcp/apps-shared/http';
import { domainOf, eq, op, type TwentyClient, type TwentyRecord } from '@twenty-gcp/apps-shared/twenty';

export type StripeEvent = {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
};

export const HANDLED_EVENTS = [
  'customer.created',
  'customer.updated',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
] as const;

// Stripe amounts are in the currency's minor unit; these have none (stripe.com/docs/currencies).
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);

export const toAmountMicros = (amount: number, currency: string): number =>
  Math.round(amount * (ZERO_DECIMAL.has(currency.toUpperCase()) ? 1_000_000 : 10_000));

export const parseStripeEvent = (body: Record<string, unknown>): StripeEvent => {
  const id = str(body.id, 'id') as string;
  if (!id.startsWith('evt_')) throw new HttpError(400, 'id must be a Stripe event id (evt_…)');
  const type = str(body.type, 'type') as string;
  if (!isUnixSeconds(body.created)) throw new HttpError(400, 'created must be a unix timestamp in seconds');
  const data = obj(body.data, 'data');
  return { id, type, created: body.created, data: { object: obj(data.object, 'data.object') } };
};

const customerIdOf = (object: Record<string, unknown>): string => {
  const value = object.object === 'customer' ? object.id : object.customer;
  const id = typeof value === 'object' && value ? (value as { id?: unknown }).id : value;
  if (typeof id !== 'string' || !id.startsWith('cus_')) {
    throw new HttpError(400, 'the event does not name a Stripe customer (cus_…)');
  }
  return id;
};

const splitName = (name: string | undefined): { firstName: string; lastName: string } => {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  return { firstName: parts[0] ?? '', lastName: parts.slice(1).join(' ') };
};

/** The company for a Stripe customer: by customer id, then by email domain, else a new one. */
export const findOrCreateCompany = async (
  twenty: TwentyClient,
  customerId: string,
  customer?: Record<string, unknown>,
): Promise<TwentyRecord> => {
  const byId = await twenty.findOne('companies', eq('stripeCustomerId', customerId));
  if (byId) return byId;
  const email = typeof customer?.email === 'string' ? customer.email : undefined;
  const domain = email ? domainOf(email) : undefined;
  if (domain) {
    const byDomain = await twenty.findOne('companies', op('domainName.primaryLinkUrl', 'ilike', `%${domain}%`));
    if (byDomain) return twenty.update('companies', byDomain.id, { stripeCustomerId: customerId });
  }
  const name = (typeof customer?.name === 'string' && customer.name) || domain || `Stripe customer ${customerId}`;
  return twenty.create('companies', {
    name,
    stripeCustomerId: customerId,
    ...(domain ? { domainName: { primaryLinkUrl: `https://${domain}` } } : {}),
  });
};

const upsertPerson = async (
  twenty: TwentyClient,
  customerId: string,
  customer: Record<string, unknown>,
  companyId: string,
): Promise<void> => {
  const email = typeof customer.email === 'string' ? customer.email.toLowerCase() : undefined;
  if (!email) return;
  const person = await twenty.findOne('people', eq('emails.primaryEmail', email));
  if (person) {
    if (person.stripeCustomerId !== customerId || !person.companyId) {
      await twenty.update('people', person.id, {
        stripeCustomerId: customerId,
        ...(person.companyId ? {} : { companyId }),
      });
    }
    return;
  }
  await twenty.create('people', {
    name: splitName(typeof customer.name === 'string' ? customer.name : undefined),
    emails: { primaryEmail: email },
    companyId,
    stripeCustomerId: customerId,
  });
};

const subscriptionFields = (sub: Record<string, unknown>, deleted: boolean): Record<string, unknown> => {
  const items = ((sub.items as { data?: unknown[] } | undefined)?.data ?? []) as Record<string, unknown>[];
  const seats = items.reduce((sum, item) => sum + (typeof item.quantity === 'number' ? item.quantity : 0), 0);
  const price = (items[0]?.price ?? items[0]?.plan ?? {}) as Record<string, unknown>;
  const plan = (price.nickname as string) || (price.lookup_key as string) || (price.id as string) || null;
  const status = deleted ? 'canceled' : String(sub.status ?? '');
  return {
    stripeSubscriptionId: typeof sub.id === 'string' ? sub.id : null,
    subscriptionStatus: status ? status.toUpperCase() : null,
    subscriptionSeats: seats,
    subscriptionPlan: plan,
  };
};

const MAX_UNIX_SECONDS = 32_503_680_000; // year 3000

const isUnixSeconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_UNIX_SECONDS;

/** paid_at when Stripe gives a valid one, else the event time. */
export const paidAtOf = (invoice: Record<string, unknown>, created: number): number => {
  const paidAt = (invoice.status_transitions as { paid_at?: unknown } | undefined)?.paid_at;
  if (paidAt === undefined || paidAt === null) return created;
  if (!isUnixSeconds(paidAt)) throw new HttpError(400, 'data.object.status_transitions.paid_at must be a unix timestamp');
  return paidAt;
};

const invoiceFields = (invoice: Record<string, unknown>, paid: boolean, created: number): Record<string, unknown> => {
  const currency = String(invoice.currency ?? 'usd').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new HttpError(400, 'data.object.currency must be an ISO currency code');
  const amount = paid ? invoice.amount_paid ?? 0 : invoice.amount_due ?? 0;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || amount > 1e15) {
    throw new HttpError(400, `data.object.${paid ? 'amount_paid' : 'amount_due'} must be a non-negative amount`);
  }
  const paidAt = paidAtOf(invoice, created);
  return {
    lastPaymentStatus: paid ? 'PAID' : 'FAILED',
    lastPaymentAmount: { amountMicros: toAmountMicros(amount, currency), currencyCode: currency },
    ...(paid ? { lastPaymentAt: new Date(paidAt * 1000).toISOString() } : {}),
  };
};

export type SyncResult = { status: 'applied' | 'duplicate' | 'stale' | 'ignored'; eventId: string; companyId?: string };

const time = (value: unknown): number => (typeof value === 'string' ? Date.parse(value) : NaN);

/**
 * Stripe retries and does not order deliveries. The last event id applied makes a repeat a no-op;
 * each kind of state keeps its own clock so an older event never overwrites a newer one:
 * subscriptions by `subscriptionEventAt`, payments by `lastPaymentAt`. Customer events only look
 * up before they create, so they are safe in any order.
 */
export const applyStripeEvent = async (twenty: TwentyClient, event: StripeEvent): Promise<SyncResult> => {
  if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) {
    return { status: 'ignored', eventId: event.id };
  }
  const object = event.data.object;
  const customerId = customerIdOf(object);
  const kind = event.type.startsWith('customer.subscription.') ? 'subscription' : event.type.startsWith('invoice.') ? 'invoice' : 'customer';
  const company = await findOrCreateCompany(twenty, customerId, kind === 'customer' ? object : undefined);
  const result = { eventId: event.id, companyId: company.id };
  if (company.stripeLastEventId === event.id) return { status: 'duplicate', ...result };
  const eventAt = event.created * 1000;

  let fields: Record<string, unknown> = {};
  if (kind === 'customer') {
    await upsertPerson(twenty, customerId, object, company.id);
    if (typeof object.name === 'string' && object.name && company.name === `Stripe customer ${customerId}`) {
      fields.name = object.name;
    }
  } else if (kind === 'subscription') {
    if (eventAt < time(company.subscriptionEventAt)) return { status: 'stale', ...result };
    fields = {
      ...subscriptionFields(object, event.type === 'customer.subscription.deleted'),
      subscriptionEventAt: new Date(eventAt).toISOString(),
    };
  } else {
    const at = event.type === 'invoice.paid' ? paidAtOf(object, event.created) * 1000 : eventAt;
    if (at < time(company.lastPaymentAt)) return { status: 'stale', ...result };
    fields = invoiceFields(object, event.type === 'invoice.paid', event.created);
  }
  await twenty.update('companies', company.id, { ...fields, stripeLastEventId: event.id });
  return { status: 'applied', ...result };
};
