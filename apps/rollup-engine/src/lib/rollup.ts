// Rolls opportunities up onto their company with configurable rules. A rule names a company field,
// an aggregate and optionally the stages it counts. Recomputing from all of the company's
// opportunities (not incrementing) makes every run idempotent; the company is only written when a
// value changes.
import { ConfigError } from '@twenty-gcp/apps-shared/http';
import { eq, inList, op, type TwentyClient, type TwentyRecord, notNull } from '@twenty-gcp/apps-shared/twenty';

export type Rule = {
  target: string;
  aggregate: 'count' | 'sum' | 'max' | 'min';
  field?: 'amount' | 'closeDate';
  stages?: string[];
  excludeStages?: string[];
};

export const DEFAULT_RULES: Rule[] = [
  { target: 'opportunityCount', aggregate: 'count' },
  { target: 'openPipelineAmount', aggregate: 'sum', field: 'amount', excludeStages: ['CUSTOMER'] },
  { target: 'wonAmount', aggregate: 'sum', field: 'amount', stages: ['CUSTOMER'] },
  { target: 'lastCloseDate', aggregate: 'max', field: 'closeDate', stages: ['CUSTOMER'] },
];

const AGGREGATES = ['count', 'sum', 'max', 'min'];
const FIELDS = ['amount', 'closeDate'];
/**
 * Every opportunity field a rollup reads (its company, its stage, the measured fields). An update
 * that changes none of them cannot move any company's rollup, so the database-event trigger lists
 * them as its updatedFields: Twenty 2.21 then starts no run for such an update (created, deleted
 * and restored events always pass; transform-event-batch-to-event-payloads.ts). Without it every
 * write of the other apps (a nightly re-score touches each open deal) started a rollup that read
 * the company's opportunities again, against the workspace's 100 requests a minute.
 */
export const ROLLUP_INPUTS = ['companyId', 'stage', ...FIELDS];

/** ROLLUP_RULES (JSON) or the defaults; a bad rule stops the function with a clear message. */
export const loadRules = (raw: string | undefined): Rule[] => {
  if (!raw || !raw.trim()) return DEFAULT_RULES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('ROLLUP_RULES is not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError('ROLLUP_RULES must be a non-empty JSON list');
  return parsed.map((r, i) => {
    const rule = r as Rule;
    if (!rule || typeof rule.target !== 'string' || !/^[a-z][A-Za-z0-9]*$/.test(rule.target)) {
      throw new ConfigError(`ROLLUP_RULES[${i}].target must be a company field name`);
    }
    if (!AGGREGATES.includes(rule.aggregate)) throw new ConfigError(`ROLLUP_RULES[${i}].aggregate must be one of ${AGGREGATES.join(', ')}`);
    if (rule.aggregate !== 'count' && !FIELDS.includes(rule.field ?? '')) {
      throw new ConfigError(`ROLLUP_RULES[${i}].field must be one of ${FIELDS.join(', ')} for ${rule.aggregate}`);
    }
    return rule;
  });
};

const inScope = (opp: TwentyRecord, rule: Rule): boolean => {
  const stage = String(opp.stage ?? '');
  if (rule.stages && !rule.stages.includes(stage)) return false;
  if (rule.excludeStages && rule.excludeStages.includes(stage)) return false;
  return true;
};

export const computeRollup = (opps: TwentyRecord[], rules: Rule[], currency: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const rule of rules) {
    const scoped = opps.filter((o) => inScope(o, rule));
    if (rule.aggregate === 'count') {
      out[rule.target] = scoped.length;
    } else if (rule.field === 'amount') {
      const micros = scoped
        .map((o) => o.amount as { amountMicros?: number | null; currencyCode?: string | null } | null)
        .filter((a) => a && typeof a.amountMicros === 'number' && (a.currencyCode ?? currency) === currency)
        .map((a) => a!.amountMicros as number);
      const value =
        rule.aggregate === 'sum' ? micros.reduce((s, v) => s + v, 0)
        : micros.length === 0 ? null
        : rule.aggregate === 'max' ? Math.max(...micros) : Math.min(...micros);
      out[rule.target] = { amountMicros: value, currencyCode: currency };
    } else {
      const dates = scoped.map((o) => o.closeDate).filter((d): d is string => typeof d === 'string').sort();
      out[rule.target] = dates.length === 0 ? null : rule.aggregate === 'min' ? dates[0] : dates[dates.length - 1];
    }
  }
  return out;
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export const changedFields = (company: TwentyRecord, values: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(values).filter(([key, value]) => !same(company[key], value)));

export const rollupCompany = async (
  twenty: TwentyClient,
  companyId: string,
  rules: Rule[],
  currency: string,
): Promise<{ companyId: string; updated: string[] }> => {
  const company = await twenty.get('companies', companyId);
  if (!company) return { companyId, updated: [] };
  const opps = await twenty.listAll('opportunities', { filter: eq('companyId', companyId) });
  const patch = changedFields(company, computeRollup(opps, rules, currency));
  if (Object.keys(patch).length > 0) await twenty.update('companies', companyId, patch);
  return { companyId, updated: Object.keys(patch) };
};

/** Nightly: every company with opportunities, plus companies still showing a count (now zero). */
export const rollupAll = async (twenty: TwentyClient, rules: Rule[], currency: string) => {
  const opps = await twenty.listAll('opportunities', { filter: notNull('companyId') }, 20_000);
  const byCompany = new Map<string, TwentyRecord[]>();
  for (const opp of opps) {
    const id = opp.companyId as string;
    byCompany.set(id, [...(byCompany.get(id) ?? []), opp]);
  }
  const stale = await twenty.listAll('companies', { filter: op('opportunityCount', 'gt', 0) }, 20_000);
  const ids = [...new Set([...byCompany.keys(), ...stale.map((c) => c.id)])];
  let updated = 0;
  for (let i = 0; i < ids.length; i += 50) {
    const chunk = ids.slice(i, i + 50);
    const companies = await twenty.list('companies', { filter: inList('id', chunk), limit: 200 });
    for (const company of companies) {
      const patch = changedFields(company, computeRollup(byCompany.get(company.id) ?? [], rules, currency));
      if (Object.keys(patch).length > 0) {
        await twenty.update('companies', company.id, patch);
        updated++;
      }
    }
  }
  return { companies: ids.length, updated };
};
