// A generated workspace whose closed deals' outcomes follow a known process, written as Twenty
// records (opportunities, companies, timeline activities) so that the benchmark and the tests go
// through the same record → snapshot → feature code as the app. The process (also described in
// bench/win_probability_bench.py):
//
//   company.employees   log-uniform on [1, 5000], missing for 20 % of companies
//   amount              log-normal, median 20 000 USD (σ = 1 in log space)
//   source              inbound 40 %, outbound 30 %, referral 15 %, event 15 %
//   point of contact    set for 70 % of deals
//   last open stage k   NEW 30 %, SCREENING 25 %, MEETING 25 %, PROPOSAL 20 % (k = 0..3)
//   days in that stage  exponential, mean 20
//   age at close        days in stage + 10·k + exponential(mean 15)
//   deal activities     Poisson(1 + 2k) in the 90 days before closing
//   account activities  Poisson(4)
//   days since activity exponential, mean 12 (when there is any activity)
//   logit P(won) = −1.3 + 0.75·k − 0.35·ln(amount / 20 000) + 0.35·ln(1 + deal activities)
//                  − 0.45·ln(1 + days since activity / 7) + 0.7·[referral] − 0.3·[outbound]
//                  + 0.4·[point of contact] − 0.25·ln(1 + days in stage / 30)
//   won ~ Bernoulli(sigmoid(logit))
//
// Company size has no effect (a feature the model should learn to ignore).
import type { Rec } from '../src/lib/deals';

const DAY = 86_400_000;
export const STAGES = ['NEW', 'SCREENING', 'MEETING', 'PROPOSAL'];

/** mulberry32: a small seeded generator, so every run draws the same workspace. */
export const rng = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** trueP: each deal's probability of winning under the process (the benchmark's ceiling). */
export type Generated = { opportunities: Rec[]; companies: Rec[]; timeline: Rec[]; trueP: Map<string, number> };

export const generateWorkspace = (closedDeals: number, openDeals: number, seed: number, now: number): Generated => {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const expo = (mean: number) => -Math.log(1 - r()) * mean;
  const poisson = (lambda: number) => {
    let k = 0;
    for (let p = Math.exp(-lambda), s = p, u = r(); u > s; k++) {
      p *= lambda / (k + 1);
      s += p;
    }
    return k;
  };
  const pick = <T,>(items: [T, number][]): T => {
    let u = r();
    for (const [item, w] of items) if ((u -= w) < 0) return item;
    return items[items.length - 1][0];
  };
  const iso = (t: number) => new Date(t).toISOString();
  const opportunities: Rec[] = [];
  const companies: Rec[] = [];
  const timeline: Rec[] = [];
  const trueP = new Map<string, number>();
  let n = 0;
  const id = (prefix: string) => `${prefix}-${seed}-${n++}`;
  const event = (name: string, at: number, target: Record<string, string>, properties: unknown = {}) =>
    timeline.push({ id: id('t'), name, happensAt: iso(at), createdAt: iso(at), properties, ...target });

  for (let i = 0; i < closedDeals + openDeals; i++) {
    const closed = i < closedDeals;
    const company: Rec = { id: id('c'), name: `Company ${i}`, employees: r() < 0.2 ? null : Math.round(Math.exp(r() * Math.log(5000))) };
    companies.push(company);
    const amount = Math.round(20_000 * Math.exp(normal()));
    const source = pick([['inbound', 0.4], ['outbound', 0.3], ['referral', 0.15], ['event', 0.15]]);
    const contact = r() < 0.7;
    const k = pick([[0, 0.3], [1, 0.25], [2, 0.25], [3, 0.2]]);
    const daysInStage = expo(20);
    const age = daysInStage + 10 * k + expo(15);
    const dealActs = poisson(1 + 2 * k);
    const accountActs = poisson(4);
    const sinceActivity = expo(12);
    const logit =
      -1.3 + 0.75 * k - 0.35 * Math.log(amount / 20_000) + 0.35 * Math.log1p(dealActs) -
      0.45 * Math.log1p((dealActs + accountActs > 0 ? sinceActivity : 365) / 7) +
      (source === 'referral' ? 0.7 : 0) - (source === 'outbound' ? 0.3 : 0) + (contact ? 0.4 : 0) -
      0.25 * Math.log1p(daysInStage / 30);
    const p = 1 / (1 + Math.exp(-logit));
    const won = r() < p;
    const end = closed ? now - r() * 600 * DAY : now; // closing moment (or now for open deals)
    const created = end - age * DAY;
    const stageAt = (j: number) => (j === k ? end - daysInStage * DAY : created + (j / Math.max(1, k)) * (end - daysInStage * DAY - created));
    const oppId = id('o');
    const finalStage = closed ? (won ? 'CUSTOMER' : 'LOST') : STAGES[k];
    opportunities.push({
      id: oppId,
      name: `Deal ${i}`,
      createdAt: iso(created),
      updatedAt: iso(end),
      stage: finalStage,
      amount: { amountMicros: amount * 1_000_000, currencyCode: 'USD' },
      closeDate: iso(closed ? end : now + r() * 150 * DAY),
      companyId: company.id,
      pointOfContactId: contact ? id('p') : null,
      ownerId: `owner-${i % 3}`,
      source,
    });
    trueP.set(oppId, p);
    event('opportunity.created', created, { targetOpportunityId: oppId }, { after: { stage: 'NEW' } });
    for (let j = 1; j <= k; j++) {
      event('opportunity.updated', stageAt(j), { targetOpportunityId: oppId }, { diff: { stage: { before: STAGES[j - 1], after: STAGES[j] } } });
    }
    if (closed) {
      event('opportunity.updated', end, { targetOpportunityId: oppId }, { diff: { stage: { before: STAGES[k], after: finalStage } } });
    }
    // Activity: the most recent `sinceActivity` days before the end, the rest spread over 90 days.
    const last = end - sinceActivity * DAY - 1;
    for (let a = 0; a < dealActs; a++) event('linked-note.created', a === 0 ? last : last - r() * (90 - sinceActivity) * DAY, { targetOpportunityId: oppId });
    for (let a = 0; a < accountActs; a++) event('message.linked', a === 0 && dealActs === 0 ? last : last - r() * (90 - sinceActivity) * DAY, { targetCompanyId: company.id });
  }
  return { opportunities, companies, timeline, trueP };
};
