// Contact enrichment on person.created: an enrichment HTTP API when configured, the AI endpoint
// otherwise. Only empty fields are filled and the person is marked enriched, so it runs once.
import { aiConfigured, chatJson } from '@twenty-gcp/apps-shared/ai';
import type { FetchLike, TwentyClient, TwentyRecord } from '@twenty-gcp/apps-shared/twenty';

export type Enrichment = { jobTitle?: string; city?: string; linkedinUrl?: string };

const clean = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined);

export const fromApi = async (env: NodeJS.ProcessEnv, email: string, fetchImpl: FetchLike): Promise<Enrichment | null> => {
  const url = `${env.ENRICHMENT_API_URL!.replace(/\/+$/, '')}?${new URLSearchParams({ email })}`;
  const response = await fetchImpl(url, { headers: { Authorization: `Bearer ${env.ENRICHMENT_API_KEY ?? ''}`, Accept: 'application/json' } });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`enrichment API answered ${response.status}`);
  const body = (await response.json()) as Record<string, unknown>;
  return { jobTitle: clean(body.jobTitle), city: clean(body.city), linkedinUrl: clean(body.linkedinUrl) };
};

export const fromAi = async (env: NodeJS.ProcessEnv, person: TwentyRecord, fetchImpl: FetchLike): Promise<Enrichment | null> => {
  const name = (person.name ?? {}) as { firstName?: string; lastName?: string };
  const email = (person.emails as { primaryEmail?: string } | undefined)?.primaryEmail ?? '';
  const answer = await chatJson<Record<string, unknown>>(
    { baseUrl: env.AI_BASE_URL!.replace(/\/+$/, ''), apiKey: env.AI_API_KEY!, model: env.AI_MODEL! },
    'You enrich CRM contacts. Answer {"jobTitle": string|null, "city": string|null, "confidence": "high"|"low"}. ' +
      'Only answer with facts you are confident about for this exact person; otherwise null and "low".',
    `Name: ${name.firstName ?? ''} ${name.lastName ?? ''}\nEmail: ${email}\nCurrent job title: ${String(person.jobTitle ?? '')}`,
    fetchImpl,
  );
  if (answer.confidence !== 'high') return null;
  return { jobTitle: clean(answer.jobTitle), city: clean(answer.city) };
};

export const enrichPerson = async (
  twenty: TwentyClient,
  env: NodeJS.ProcessEnv,
  personId: string,
  fetchImpl: FetchLike = fetch,
  now = new Date(),
): Promise<{ status: string; fields?: string[] }> => {
  const person = await twenty.get('people', personId);
  if (!person) return { status: 'skipped-not-found' };
  if (person.enrichedAt) return { status: 'skipped-already-enriched' };
  const email = (person.emails as { primaryEmail?: string } | undefined)?.primaryEmail;
  let source: 'API' | 'AI';
  let data: Enrichment | null;
  if (env.ENRICHMENT_API_URL) {
    if (!email) return { status: 'skipped-no-email' };
    source = 'API';
    data = await fromApi(env, email, fetchImpl);
  } else if (aiConfigured(env)) {
    source = 'AI';
    data = await fromAi(env, person, fetchImpl);
  } else {
    return { status: 'skipped-not-configured' };
  }
  const patch: Record<string, unknown> = {};
  if (data?.jobTitle && !person.jobTitle) patch.jobTitle = data.jobTitle;
  if (data?.city && !person.city) patch.city = data.city;
  const linkedin = (person.linkedinLink as { primaryLinkUrl?: string } | undefined)?.primaryLinkUrl;
  if (data?.linkedinUrl && !linkedin) patch.linkedinLink = { primaryLinkUrl: data.linkedinUrl };
  await twenty.update('people', personId, { ...patch, enrichedAt: now.toISOString(), enrichmentSource: source });
  return { status: 'enriched', fields: Object.keys(patch) };
};
