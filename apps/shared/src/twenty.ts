// A small Twenty REST client for logic functions. Twenty gives every function TWENTY_API_URL and an
// application token (TWENTY_APP_ACCESS_TOKEN, also exposed as TWENTY_API_KEY); answers follow the
// captured 2.21 contract: lists `{data:{<plural>:[…]}, pageInfo, totalCount}`, create/update
// `{data:{create<Object>|update<Object>:{…}}}`, errors `{statusCode, error, messages}`.
import { ConfigError } from './http';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;
export type TwentyRecord = Record<string, unknown> & { id: string };

export class TwentyApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: unknown,
  ) {
    const messages = (body as { messages?: string[] } | null)?.messages;
    super(`Twenty ${method} ${path} answered ${status}${messages ? ': ' + messages.join('; ') : ''}`);
    this.name = 'TwentyApiError';
  }
}

export type ListOptions = {
  filter?: string;
  orderBy?: string;
  limit?: number;
  depth?: 0 | 1;
};

/** `field[eq]:"value"` — values are JSON-quoted as in the captured examples (029, 033). */
export const eq = (field: string, value: string | number | boolean): string =>
  `${field}[eq]:${JSON.stringify(value)}`;
export const op = (field: string, operator: string, value: unknown): string =>
  `${field}[${operator}]:${JSON.stringify(value)}`;
/** `field[is]:NULL` / `field[is]:NOT_NULL` — unquoted, as in examples 031/032. */
export const isNull = (field: string): string => `${field}[is]:NULL`;
export const notNull = (field: string): string => `${field}[is]:NOT_NULL`;
export const inList = (field: string, values: string[]): string =>
  `${field}[in]:[${values.map((v) => JSON.stringify(v)).join(',')}]`;
export const and = (...parts: string[]): string => (parts.length === 1 ? parts[0] : `and(${parts.join(',')})`);
export const or = (...parts: string[]): string => (parts.length === 1 ? parts[0] : `or(${parts.join(',')})`);

const firstValue = (data: unknown): unknown => {
  if (data && typeof data === 'object') return Object.values(data as Record<string, unknown>)[0];
  return undefined;
};

export class TwentyClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: FetchLike = fetch,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '').replace(/\/rest$/, '');
  }

  /** The client for the running function (Twenty sets these env vars for every logic function). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch): TwentyClient {
    const url = env.TWENTY_API_URL;
    const token = env.TWENTY_APP_ACCESS_TOKEN || env.TWENTY_API_KEY;
    if (!url || !token) {
      throw new ConfigError('TWENTY_API_URL and TWENTY_APP_ACCESS_TOKEN are not set (Twenty sets them at run time)');
    }
    return new TwentyClient(url, token, fetchImpl);
  }

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.fetchImpl(this.baseUrl + path, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (!response.ok) throw new TwentyApiError(response.status, method, path, parsed);
    return parsed;
  }

  async list<T = TwentyRecord>(plural: string, options: ListOptions = {}): Promise<T[]> {
    const page = await this.page<T>(plural, options);
    return page.items;
  }

  async page<T = TwentyRecord>(
    plural: string,
    options: ListOptions & { startingAfter?: string } = {},
  ): Promise<{ items: T[]; endCursor?: string; hasNextPage: boolean }> {
    const query = new URLSearchParams();
    if (options.filter) query.set('filter', options.filter);
    if (options.orderBy) query.set('order_by', options.orderBy);
    query.set('limit', String(Math.min(options.limit ?? 60, 200)));
    query.set('depth', String(options.depth ?? 0));
    if (options.startingAfter) query.set('starting_after', options.startingAfter);
    const answer = (await this.request('GET', `/rest/${plural}?${query}`)) as {
      data?: Record<string, T[]>;
      pageInfo?: { endCursor?: string; hasNextPage?: boolean };
    };
    return {
      items: answer?.data?.[plural] ?? [],
      endCursor: answer?.pageInfo?.endCursor,
      hasNextPage: Boolean(answer?.pageInfo?.hasNextPage),
    };
  }

  /** Every record matching, following cursors; stops at `maxRecords` to bound a function's run. */
  async listAll<T = TwentyRecord>(plural: string, options: ListOptions = {}, maxRecords = 2000): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.page<T>(plural, { ...options, limit: 200, startingAfter: cursor });
      out.push(...page.items);
      if (!page.hasNextPage || !page.endCursor || out.length >= maxRecords) return out;
      cursor = page.endCursor;
    }
  }

  async findOne<T = TwentyRecord>(plural: string, filter: string): Promise<T | null> {
    const [first] = await this.list<T>(plural, { filter, limit: 1 });
    return first ?? null;
  }

  async get<T = TwentyRecord>(plural: string, id: string): Promise<T | null> {
    try {
      const answer = (await this.request('GET', `/rest/${plural}/${encodeURIComponent(id)}`)) as {
        data?: unknown;
      };
      return (firstValue(answer?.data) as T) ?? null;
    } catch (error) {
      if (error instanceof TwentyApiError && error.status === 404) return null;
      throw error;
    }
  }

  async create<T = TwentyRecord>(plural: string, record: Record<string, unknown>): Promise<T> {
    const answer = (await this.request('POST', `/rest/${plural}`, record)) as { data?: unknown };
    return firstValue(answer?.data) as T;
  }

  async update<T = TwentyRecord>(plural: string, id: string, patch: Record<string, unknown>): Promise<T> {
    const answer = (await this.request('PATCH', `/rest/${plural}/${encodeURIComponent(id)}`, patch)) as {
      data?: unknown;
    };
    return firstValue(answer?.data) as T;
  }

  /**
   * One PATCH for every record matching `filter` (2.21 rest-api-core.service.ts `update`: a PATCH
   * without id goes to the update-many handler); at most 100 records per call
   * (MUTATION_MAXIMUM_AFFECTED_RECORDS). Answers `{data:{update<Plural>:[…]}}`.
   */
  async updateMany<T = TwentyRecord>(plural: string, filter: string, patch: Record<string, unknown>): Promise<T[]> {
    const query = new URLSearchParams({ filter });
    const answer = (await this.request('PATCH', `/rest/${plural}?${query}`, patch)) as { data?: unknown };
    return (firstValue(answer?.data) as T[]) ?? [];
  }

  /** One POST /rest/batch/<plural> for up to 100 records (rest-api-create-many.handler.ts). */
  async createMany<T = TwentyRecord>(plural: string, records: Record<string, unknown>[]): Promise<T[]> {
    const answer = (await this.request('POST', `/rest/batch/${plural}`, records)) as { data?: unknown };
    return (firstValue(answer?.data) as T[]) ?? [];
  }

  /** GraphQL on /graphql (records) or /metadata; GraphQL errors arrive with HTTP 200. */
  async graphql<T = unknown>(
    query: string,
    variables: Record<string, unknown> = {},
    endpoint: '/graphql' | '/metadata' = '/graphql',
  ): Promise<T> {
    const answer = (await this.request('POST', endpoint, { query, variables })) as {
      data?: T;
      errors?: { message: string }[];
    };
    if (answer?.errors?.length) {
      throw new TwentyApiError(200, 'POST', endpoint, { messages: answer.errors.map((e) => e.message) });
    }
    return answer.data as T;
  }
}

// ---------------------------------------------------------------- helpers used by several apps

export const markdownBody = (markdown: string) => ({ markdown });

type Targets = { personIds?: string[]; companyIds?: string[]; opportunityIds?: string[] };

/**
 * Link a note or task to records, skipping links that already exist (a retried run adds nothing).
 * 2.21 names the target columns target<Object>Id (examples 051/052/055/056).
 */
const linkOnce = async (
  twenty: TwentyClient,
  plural: 'noteTargets' | 'taskTargets',
  ownerField: 'noteId' | 'taskId',
  ownerId: string,
  targets: Targets,
): Promise<void> => {
  const existing = await twenty.list(plural, { filter: eq(ownerField, ownerId), limit: 200 });
  const have = new Set(
    existing.flatMap((t) => [t.targetPersonId, t.targetCompanyId, t.targetOpportunityId].filter(Boolean) as string[]),
  );
  const wanted: [string, string[] | undefined][] = [
    ['targetPersonId', targets.personIds],
    ['targetCompanyId', targets.companyIds],
    ['targetOpportunityId', targets.opportunityIds],
  ];
  for (const [column, ids] of wanted) {
    for (const id of new Set(ids ?? [])) {
      if (have.has(id)) continue;
      have.add(id);
      await twenty.create(plural, { [ownerField]: ownerId, [column]: id });
    }
  }
};

export const linkNote = (twenty: TwentyClient, noteId: string, targets: Targets): Promise<void> =>
  linkOnce(twenty, 'noteTargets', 'noteId', noteId, targets);

export const linkTask = (twenty: TwentyClient, taskId: string, targets: Targets): Promise<void> =>
  linkOnce(twenty, 'taskTargets', 'taskId', taskId, targets);

/** The people, companies and opportunities a note or task is linked to. */
export const targetsOf = async (
  twenty: TwentyClient,
  plural: 'noteTargets' | 'taskTargets',
  ownerField: 'noteId' | 'taskId',
  ownerId: string,
): Promise<Required<Targets>> => {
  const rows = await twenty.list(plural, { filter: eq(ownerField, ownerId), limit: 200 });
  const pick = (key: string) => rows.map((r) => r[key]).filter((v): v is string => typeof v === 'string');
  return { personIds: pick('targetPersonId'), companyIds: pick('targetCompanyId'), opportunityIds: pick('targetOpportunityId') };
};

/** People whose primary email is one of `emails` (lower-cased), in one request. */
export const peopleByEmail = async (twenty: TwentyClient, emails: string[]): Promise<TwentyRecord[]> => {
  const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
  if (wanted.length === 0) return [];
  return twenty.list('people', { filter: inList('emails.primaryEmail', wanted), limit: 200 });
};

export const domainOf = (email: string): string | undefined => {
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(at + 1).toLowerCase() : undefined;
};
