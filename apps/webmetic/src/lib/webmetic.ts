// Webmetic visits → websiteLead records linked to a company matched by domain (or created).
// The visit id is stored on the lead, so a visit seen twice (webhook + hourly pull) is one lead.
import { ConfigError, HttpError, obj, str } from '@twenty-gcp/apps-shared/http';
import { eq, op, type FetchLike, type TwentyClient } from '@twenty-gcp/apps-shared/twenty';

export type Visit = {
  id: string;
  companyName: string;
  domain: string;
  visitedAt: string;
  pageViews: number;
  durationSeconds: number;
  score: number | null;
  referrer: string | null;
  pages: string[];
};

const DOMAIN_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;

export const normaliseDomain = (value: string): string =>
  value.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/.*$/, '');

const num = (value: unknown, what: string): number => {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new HttpError(400, `${what} must be a non-negative number`);
  return value;
};

export const parseVisit = (raw: unknown, where: string): Visit => {
  const v = obj(raw, where);
  const company = obj(v.company, `${where}.company`);
  const domain = normaliseDomain(str(company.domain, `${where}.company.domain`) as string);
  if (!DOMAIN_RE.test(domain)) throw new HttpError(400, `${where}.company.domain is not a domain name`);
  const visitedAt = str(v.visitedAt, `${where}.visitedAt`) as string;
  if (Number.isNaN(Date.parse(visitedAt))) throw new HttpError(400, `${where}.visitedAt must be an ISO date`);
  return {
    id: str(v.id, `${where}.id`) as string,
    companyName: (str(company.name, `${where}.company.name`, { required: false }) ?? domain) as string,
    domain,
    visitedAt: new Date(visitedAt).toISOString(),
    pageViews: num(v.pageViews, `${where}.pageViews`),
    durationSeconds: num(v.durationSeconds, `${where}.durationSeconds`),
    score: v.score === undefined || v.score === null ? null : num(v.score, `${where}.score`),
    referrer: (str(v.referrer, `${where}.referrer`, { required: false }) ?? null) as string | null,
    pages: Array.isArray(v.pages) ? v.pages.filter((p): p is string => typeof p === 'string').slice(0, 50) : [],
  };
};

/** `{visitors:[…]}` or a single visit object. */
export const parseVisits = (body: Record<string, unknown>): Visit[] => {
  if (Array.isArray(body.visitors)) {
    if (body.visitors.length > 500) throw new HttpError(413, 'at most 500 visitors per request');
    return body.visitors.map((v, i) => parseVisit(v, `visitors[${i}]`));
  }
  return [parseVisit(body, 'body')];
};

export const companyForDomain = async (twenty: TwentyClient, visit: Visit): Promise<string> => {
  const found = await twenty.findOne('companies', op('domainName.primaryLinkUrl', 'ilike', `%${visit.domain}%`));
  if (found) return found.id;
  const created = await twenty.create('companies', { name: visit.companyName, domainName: { primaryLinkUrl: `https://${visit.domain}` } });
  return created.id;
};

export const upsertLead = async (twenty: TwentyClient, visit: Visit): Promise<'created' | 'updated' | 'unchanged'> => {
  const fields = {
    name: `${visit.companyName} – ${visit.visitedAt.slice(0, 10)}`,
    visitedAt: visit.visitedAt,
    pageViews: visit.pageViews,
    durationSeconds: visit.durationSeconds,
    score: visit.score,
    referrer: visit.referrer,
    pages: visit.pages.join('\n'),
    companyDomain: visit.domain,
  };
  const existing = await twenty.findOne('websiteLeads', eq('webmeticId', visit.id));
  if (existing) {
    const patch = Object.fromEntries(Object.entries(fields).filter(([k, v]) => JSON.stringify(existing[k] ?? null) !== JSON.stringify(v)));
    if (Object.keys(patch).length === 0) return 'unchanged';
    await twenty.update('websiteLeads', existing.id, patch);
    return 'updated';
  }
  const companyId = await companyForDomain(twenty, visit);
  await twenty.create('websiteLeads', { ...fields, webmeticId: visit.id, companyId });
  return 'created';
};

export const importVisits = async (twenty: TwentyClient, visits: Visit[]) => {
  const counts = { created: 0, updated: 0, unchanged: 0 };
  for (const visit of visits) counts[await upsertLead(twenty, visit)]++;
  return counts;
};

/** Hourly pull: GET {WEBMETIC_API_URL}/visitors?domain=…&since=… (Bearer key) → {visitors:[…]}. */
export const fetchVisits = async (env: NodeJS.ProcessEnv, since: Date, fetchImpl: FetchLike = fetch): Promise<Visit[]> => {
  const key = env.WEBMETIC_API_KEY;
  const domain = env.WEBMETIC_DOMAIN;
  const base = (env.WEBMETIC_API_URL || '').replace(/\/+$/, '');
  if (!key || !domain || !base) throw new ConfigError('WEBMETIC_API_KEY, WEBMETIC_DOMAIN and WEBMETIC_API_URL must be set for the hourly pull');
  const url = `${base}/visitors?${new URLSearchParams({ domain, since: since.toISOString() })}`;
  const response = await fetchImpl(url, { headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' } });
  if (!response.ok) throw new Error(`Webmetic answered ${response.status}`);
  const body = (await response.json()) as Record<string, unknown>;
  // Visits that do not validate are skipped (logged) rather than failing the whole hour.
  const visitors = Array.isArray(body.visitors) ? body.visitors : [];
  return visitors.flatMap((v, i) => {
    try {
      return [parseVisit(v, `visitors[${i}]`)];
    } catch (error) {
      console.warn('skipping Webmetic visit', i, (error as Error).message);
      return [];
    }
  });
};
