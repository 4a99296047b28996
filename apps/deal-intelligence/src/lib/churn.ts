// Churn risk: a transparent rule score (0–100, points capped at 100) for customer companies —
// those with a Stripe subscription/customer (the stripe-synchronizer app's fields) or a won deal.
// Each rule that fires adds its points and one reason; the reasons are listed highest first.
//
// | signal                                              | points |
// |-----------------------------------------------------|--------|
// | subscription CANCELED / INCOMPLETE_EXPIRED          | 40     |
// | subscription PAST_DUE / UNPAID                      | 30     |
// | subscription PAUSED                                 | 15     |
// | last payment FAILED                                 | 25     |
// | seats below the highest count seen (seatsPeak)      | 15     |
// | activity down by half: last 30 days vs the monthly  | 20     |
// |   average of the 90 days before (needs ≥ 2/month)   |        |
// | no activity (email, meeting, note, task) in 60 days | 15     |
// | no account owner                                    | 10     |
// | overdue open tasks linked to the company: 1–2 / ≥ 3 | 10/15  |
//
// Stripe statuses are stored upper-cased by stripe-synchronizer (sync.ts: subscriptionStatus,
// lastPaymentStatus PAID|FAILED, subscriptionSeats).

const DAY = 86_400_000;

export type ChurnInput = {
  company: Record<string, unknown>;
  activity: number[]; // activity times (ms) on the company
  overdueTasks: number;
  now: number;
};

export type ChurnScore = { risk: number; reasons: string; seatsPeak: number | null };

export const isCustomer = (company: Record<string, unknown>, wonCompanyIds: Set<string>): boolean =>
  Boolean(company.subscriptionStatus || company.stripeCustomerId || wonCompanyIds.has(String(company.id)));

export const scoreChurn = ({ company, activity, overdueTasks, now }: ChurnInput): ChurnScore => {
  const signals: [number, string][] = [];
  const status = String(company.subscriptionStatus ?? '').toUpperCase();
  if (status === 'CANCELED' || status === 'INCOMPLETE_EXPIRED') signals.push([40, 'subscription canceled']);
  else if (status === 'PAST_DUE' || status === 'UNPAID') signals.push([30, `subscription ${status.toLowerCase().replace('_', ' ')}`]);
  else if (status === 'PAUSED') signals.push([15, 'subscription paused']);
  if (String(company.lastPaymentStatus ?? '').toUpperCase() === 'FAILED') signals.push([25, 'last payment failed']);

  const seats = typeof company.subscriptionSeats === 'number' ? company.subscriptionSeats : null;
  const peakBefore = typeof company.seatsPeak === 'number' ? company.seatsPeak : null;
  const seatsPeak = seats === null ? peakBefore : Math.max(seats, peakBefore ?? seats);
  if (seats !== null && seatsPeak !== null && seats < seatsPeak) signals.push([15, `seats down from ${seatsPeak} to ${seats}`]);

  const last30 = activity.filter((t) => t > now - 30 * DAY && t <= now).length;
  const before = activity.filter((t) => t <= now - 30 * DAY && t > now - 120 * DAY).length / 3;
  if (before >= 2 && last30 <= before / 2) signals.push([20, 'activity down by half or more (last 30 days vs the 3 months before)']);
  const last = Math.max(-Infinity, ...activity.filter((t) => t <= now));
  if (now - last > 60 * DAY) signals.push([15, 'no contact in 60+ days']);
  if (!company.accountOwnerId) signals.push([10, 'no account owner']);
  if (overdueTasks >= 3) signals.push([15, '3 or more overdue tasks']);
  else if (overdueTasks > 0) signals.push([10, `${overdueTasks} overdue task${overdueTasks > 1 ? 's' : ''}`]);

  signals.sort((a, b) => b[0] - a[0] || a[1].localeCompare(b[1]));
  const risk = Math.min(100, signals.reduce((s, [points]) => s + points, 0));
  const reasons = signals.length
    ? `Rules: ${signals.map(([points, text]) => `${text} (+${points})`).join('; ')}.`
    : 'Rules: no risk signal.';
  return { risk, reasons, seatsPeak };
};
