// Last email date and interaction status on people and companies. A date only moves forward, the
// status is derived from it (ACTIVE / COOLING / DORMANT by age), and records are patched only when
// something changes — so replays and the daily catch-up are idempotent.
import { daysAgo } from '@twenty-gcp/apps-shared/events';
import { ConfigError } from '@twenty-gcp/apps-shared/http';
import { eq, inList, op, type TwentyClient, type TwentyRecord, notNull } from '@twenty-gcp/apps-shared/twenty';

export type Thresholds = { activeDays: number; coolingDays: number };

export const thresholdsFromEnv = (env: NodeJS.ProcessEnv): Thresholds => {
  const activeDays = Number(env.ACTIVE_DAYS || 30);
  const coolingDays = Number(env.COOLING_DAYS || 90);
  if (!(activeDays > 0) || !(coolingDays > activeDays)) {
    throw new ConfigError('ACTIVE_DAYS must be > 0 and COOLING_DAYS greater than ACTIVE_DAYS');
  }
  return { activeDays, coolingDays };
};

export const statusFor = (lastEmailAt: string, t: Thresholds, now = new Date()): string => {
  const at = Date.parse(lastEmailAt);
  if (at >= daysAgo(t.activeDays, now).getTime()) return 'ACTIVE';
  if (at >= daysAgo(t.coolingDays, now).getTime()) return 'COOLING';
  return 'DORMANT';
};

const patchFor = (record: TwentyRecord, emailAt: string | undefined, t: Thresholds, now: Date) => {
  const current = typeof record.lastEmailAt === 'string' ? record.lastEmailAt : undefined;
  const latest = emailAt && (!current || Date.parse(emailAt) > Date.parse(current)) ? emailAt : current;
  if (!latest) return null;
  const patch: Record<string, unknown> = {};
  if (latest !== current) patch.lastEmailAt = latest;
  const status = statusFor(latest, t, now);
  if (status !== record.interactionStatus) patch.interactionStatus = status;
  return Object.keys(patch).length ? patch : null;
};

/** Apply one email received at `receivedAt` to these people and their companies. */
export const applyEmail = async (
  twenty: TwentyClient,
  personIds: string[],
  receivedAt: string,
  t: Thresholds,
  now = new Date(),
): Promise<number> => {
  const ids = [...new Set(personIds)];
  if (ids.length === 0) return 0;
  let writes = 0;
  const people = await twenty.list('people', { filter: inList('id', ids), limit: 200 });
  for (const person of people) {
    const patch = patchFor(person, receivedAt, t, now);
    if (patch) {
      await twenty.update('people', person.id, patch);
      writes++;
    }
  }
  const companyIds = [...new Set(people.map((p) => p.companyId).filter((c): c is string => typeof c === 'string'))];
  if (companyIds.length) {
    const companies = await twenty.list('companies', { filter: inList('id', companyIds), limit: 200 });
    for (const company of companies) {
      const patch = patchFor(company, receivedAt, t, now);
      if (patch) {
        await twenty.update('companies', company.id, patch);
        writes++;
      }
    }
  }
  return writes;
};

export const participantsOf = async (twenty: TwentyClient, messageId: string): Promise<string[]> => {
  const rows = await twenty.list('messageParticipants', { filter: eq('messageId', messageId), limit: 200 });
  return rows.map((r) => r.personId).filter((id): id is string => typeof id === 'string');
};

export const applyMessage = async (twenty: TwentyClient, message: TwentyRecord, t: Thresholds, now = new Date()) => {
  const receivedAt = typeof message.receivedAt === 'string' ? message.receivedAt : undefined;
  if (!receivedAt) return 0;
  return applyEmail(twenty, await participantsOf(twenty, message.id), receivedAt, t, now);
};

/** Daily: catch up on recent messages (participants may be stored after message.created fired),
 * then move statuses along as dates age (ACTIVE → COOLING → DORMANT). */
export const dailyRefresh = async (twenty: TwentyClient, t: Thresholds, now = new Date()) => {
  const recent = await twenty.listAll('messages', { filter: op('receivedAt', 'gte', daysAgo(2, now).toISOString()) }, 5000);
  let writes = 0;
  for (const message of recent) writes += await applyMessage(twenty, message, t, now);
  for (const plural of ['people', 'companies']) {
    const records = await twenty.listAll(plural, { filter: notNull('lastEmailAt') }, 20_000);
    for (const record of records) {
      const patch = patchFor(record, undefined, t, now);
      if (patch) {
        await twenty.update(plural, record.id, patch);
        writes++;
      }
    }
  }
  return { messages: recent.length, writes };
};
