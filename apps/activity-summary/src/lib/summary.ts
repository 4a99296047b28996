// Daily per-account activity summary: the timeline activities of each company in the window,
// summarised (by the AI endpoint when configured, as a plain list otherwise) into one note per
// company per day, linked to the company. The note title carries the day, so a rerun is a no-op.
import { aiConfigured, chatJson, type AiConfig } from '@twenty-gcp/apps-shared/ai';
import { and, eq, inList, linkNote, op, type FetchLike, type TwentyClient, type TwentyRecord, notNull } from '@twenty-gcp/apps-shared/twenty';

export const TITLE_PREFIX = 'Activity summary';
export const MAX_COMPANIES = 200;

export const titleFor = (day: string, company: string) => `${TITLE_PREFIX} ${day} – ${company}`;

export const describe = (a: TwentyRecord): string => {
  const what = String(a.name ?? 'activity').replace(/^linked-/, '').replace('.', ' ');
  const subject = a.linkedRecordCachedName ? `: ${String(a.linkedRecordCachedName)}` : '';
  return `${String(a.happensAt ?? '').slice(0, 16).replace('T', ' ')} ${what}${subject}`;
};

export const plainSummary = (lines: string[]): string =>
  [`${lines.length} activities:`, '', ...lines.map((l) => `- ${l}`)].join('\n');

export const summarise = async (
  company: string,
  lines: string[],
  ai: AiConfig | null,
  fetchImpl: FetchLike,
): Promise<string> => {
  if (!ai) return plainSummary(lines);
  const answer = await chatJson<{ summary?: string }>(
    ai,
    'You summarise CRM account activity for a sales team. Answer {"summary": "<markdown, 5 bullet points at most, facts only>"}.',
    `Account: ${company}\nActivities:\n${lines.join('\n')}`,
    fetchImpl,
  );
  return typeof answer.summary === 'string' && answer.summary.trim() ? answer.summary.trim() : plainSummary(lines);
};

export const summariseActivity = async (
  twenty: TwentyClient,
  options: { days: number; ai: AiConfig | null; now?: Date; fetchImpl?: FetchLike },
) => {
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - options.days * 86_400_000).toISOString();
  const day = now.toISOString().slice(0, 10);
  const activities = await twenty.listAll(
    'timelineActivities',
    { filter: and(op('happensAt', 'gte', since), notNull('targetCompanyId')), orderBy: 'happensAt[AscNullsLast]' },
    5000,
  );
  const byCompany = new Map<string, TwentyRecord[]>();
  for (const a of activities) {
    if (String(a.linkedRecordCachedName ?? '').startsWith(TITLE_PREFIX)) continue; // our own notes
    const id = a.targetCompanyId as string;
    byCompany.set(id, [...(byCompany.get(id) ?? []), a]);
  }
  const ids = [...byCompany.keys()].slice(0, MAX_COMPANIES);
  const result = { companies: ids.length, created: 0, existing: 0 };
  for (let i = 0; i < ids.length; i += 50) {
    const companies = await twenty.list('companies', { filter: inList('id', ids.slice(i, i + 50)), limit: 200 });
    for (const company of companies) {
      const title = titleFor(day, String(company.name ?? company.id));
      if (await twenty.findOne('notes', eq('title', title))) {
        result.existing++;
        continue;
      }
      const lines = byCompany.get(company.id)!.map(describe);
      const body = await summarise(String(company.name ?? ''), lines, options.ai, options.fetchImpl ?? fetch);
      const note = await twenty.create('notes', { title, bodyV2: { markdown: body } });
      await linkNote(twenty, note.id, { companyIds: [company.id] });
      result.created++;
    }
  }
  return result;
};

export const aiOrNull = (env: NodeJS.ProcessEnv): AiConfig | null =>
  aiConfigured(env) ? { baseUrl: env.AI_BASE_URL!.replace(/\/+$/, ''), apiKey: env.AI_API_KEY!, model: env.AI_MODEL! } : null;
