// Test doubles used by every app's tests (never bundled into a logic function): a local stub of
// Twenty's REST API on 127.0.0.1 that answers in the captured 2.21 shapes
// (contract/twenty-2.21.0/examples 001, 021, 029, 030, 048, 050-055, 007d), and a stub of an
// OpenAI-compatible chat endpoint.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Rec = Record<string, unknown> & { id: string };
export type LoggedRequest = { method: string; path: string; query: URLSearchParams; body: unknown };

const singular = (plural: string): string => {
  if (plural === 'people') return 'person';
  if (plural.endsWith('ies')) return plural.slice(0, -3) + 'y';
  return plural.slice(0, -1);
};
const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

const getPath = (record: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), record);

// ---- filter grammar: and(...), or(...), not(...), field[op]:value (value JSON or bare)

const splitTop = (text: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth--;
    if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
};

const compare = (actual: unknown, operator: string, raw: string): boolean => {
  let expected: unknown;
  try {
    expected = JSON.parse(raw);
  } catch {
    expected = raw;
  }
  const a = actual as string | number | null | undefined;
  switch (operator) {
    case 'eq':
      return a === expected;
    case 'neq':
      return a !== expected;
    case 'in':
      return Array.isArray(expected) && expected.includes(a);
    case 'is':
      return expected === 'NULL' ? a === null || a === undefined : a !== null && a !== undefined;
    case 'gte':
      return a !== null && a !== undefined && a >= (expected as string);
    case 'gt':
      return a !== null && a !== undefined && a > (expected as string);
    case 'lte':
      return a !== null && a !== undefined && a <= (expected as string);
    case 'lt':
      return a !== null && a !== undefined && a < (expected as string);
    case 'ilike':
    case 'like': {
      const pattern = String(expected).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*');
      return new RegExp(`^${pattern}$`, operator === 'ilike' ? 'i' : '').test(String(a ?? ''));
    }
    default:
      throw new Error(`stub Twenty: unsupported filter operator ${operator}`);
  }
};

export const matchesFilter = (record: Record<string, unknown>, filter: string): boolean => {
  const text = filter.trim();
  const group = /^(and|or|not)\((.*)\)$/s.exec(text);
  if (group) {
    const parts = splitTop(group[2]);
    if (group[1] === 'and') return parts.every((p) => matchesFilter(record, p));
    if (group[1] === 'or') return parts.some((p) => matchesFilter(record, p));
    return !matchesFilter(record, parts[0]);
  }
  const leaf = /^([A-Za-z0-9_.]+)\[([a-zA-Z]+)\]:(.*)$/s.exec(text);
  if (!leaf) throw new Error(`stub Twenty: cannot parse filter ${text}`);
  return compare(getPath(record, leaf[1]), leaf[2], leaf[3]);
};

// ---- the stub server

export class StubTwenty {
  readonly requests: LoggedRequest[] = [];
  readonly store = new Map<string, Map<string, Rec>>();
  /** Answers for POST /graphql and /metadata, keyed by a substring of the query. */
  readonly graphqlAnswers: { match: string; answer: unknown }[] = [];
  token = 'test-app-token';
  private server?: Server;
  url = '';

  seed(plural: string, records: Partial<Rec>[]): Rec[] {
    const table = this.table(plural);
    return records.map((r) => {
      const now = new Date().toISOString();
      const rec = { id: randomUUID(), createdAt: now, updatedAt: now, deletedAt: null, ...r } as Rec;
      table.set(rec.id, rec);
      return rec;
    });
  }

  all(plural: string): Rec[] {
    return [...this.table(plural).values()];
  }

  writes(): LoggedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && !(r.path === '/graphql' || r.path === '/metadata'));
  }

  table(plural: string): Map<string, Rec> {
    let table = this.store.get(plural);
    if (!table) {
      table = new Map();
      this.store.set(plural, table);
    }
    return table;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The env Twenty gives a logic function, pointing at this stub. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { TWENTY_API_URL: this.url, TWENTY_APP_ACCESS_TOKEN: this.token, TWENTY_API_KEY: this.token, ...extra };
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stub');
    const body = text ? JSON.parse(text) : null;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      // 2.21 answers a missing/invalid token with 403 (README "Facts worth knowing").
      this.send(res, 403, { statusCode: 403, messages: ['Missing authentication token'], error: 'FORBIDDEN_EXCEPTION' });
      return;
    }
    if (url.pathname === '/graphql' || url.pathname === '/metadata') {
      const hit = this.graphqlAnswers.find((a) => String(body?.query ?? '').includes(a.match));
      this.send(res, 200, hit ? hit.answer : { errors: [{ message: 'stub: no answer configured' }], data: null });
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean); // rest, <plural>, <id>?
    if (parts[0] !== 'rest' || parts.length < 2) {
      this.send(res, 404, { statusCode: 404, error: 'NotFoundException', messages: ['Cannot ' + req.method] });
      return;
    }
    if (parts[1] === 'batch' && req.method === 'POST' && Array.isArray(body)) {
      // POST /rest/batch/<plural> → {data:{create<Plural>:[…]}} (rest-api-create-many.handler.ts)
      const created = this.seed(parts[2], body);
      this.send(res, 201, { data: { [`create${cap(parts[2])}`]: created } });
      return;
    }
    const plural = parts[1];
    const id = parts[2];
    const table = this.table(plural);
    const Obj = cap(singular(plural));
    if (req.method === 'GET' && !id) {
      let items = [...table.values()];
      const filter = url.searchParams.get('filter');
      if (filter) items = items.filter((r) => matchesFilter(r, filter));
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 60), 200);
      const after = url.searchParams.get('starting_after');
      const start = after ? Number(Buffer.from(after, 'base64').toString()) : 0;
      const page = items.slice(start, start + limit);
      const cursor = (n: number) => Buffer.from(String(n)).toString('base64');
      this.send(res, 200, {
        data: { [plural]: page },
        pageInfo: {
          startCursor: cursor(start),
          endCursor: cursor(start + page.length),
          hasNextPage: start + page.length < items.length,
          hasPreviousPage: start > 0,
        },
        totalCount: items.length,
      });
      return;
    }
    if (req.method === 'GET' && id) {
      const rec = table.get(id);
      if (!rec) this.send(res, 404, { statusCode: 404, error: 'NotFoundException', messages: ['Record not found'] });
      else this.send(res, 200, { data: { [singular(plural)]: rec } });
      return;
    }
    if (req.method === 'POST' && !id) {
      const [rec] = this.seed(plural, [body ?? {}]);
      this.send(res, 201, { data: { [`create${Obj}`]: rec } });
      return;
    }
    if (req.method === 'PATCH' && !id) {
      // update-many: every record matching ?filter= gets the same patch → {data:{update<Plural>:[…]}}
      const filter = url.searchParams.get('filter');
      if (!filter) {
        this.send(res, 400, { statusCode: 400, error: 'BadRequestException', messages: ['filter is required'] });
        return;
      }
      const matched = [...table.values()].filter((r) => matchesFilter(r, filter));
      if (matched.length > 100) {
        this.send(res, 400, { statusCode: 400, error: 'BadRequestException', messages: ['over 100 records affected'] });
        return;
      }
      const updated = matched.map((rec) => {
        const next = { ...rec, ...(body ?? {}), updatedAt: new Date().toISOString() } as Rec;
        table.set(rec.id, next);
        return next;
      });
      this.send(res, 200, { data: { [`update${cap(plural)}`]: updated } });
      return;
    }
    if (req.method === 'PATCH' && id) {
      const rec = table.get(id);
      if (!rec) {
        this.send(res, 404, { statusCode: 404, error: 'NotFoundException', messages: ['Record not found'] });
        return;
      }
      const updated = { ...rec, ...(body ?? {}), updatedAt: new Date().toISOString() } as Rec;
      table.set(id, updated);
      this.send(res, 200, { data: { [`update${Obj}`]: updated } });
      return;
    }
    this.send(res, 400, { statusCode: 400, error: 'BadRequestException', messages: ['stub: unsupported call'] });
  }
}

/** A stub OpenAI-compatible endpoint answering every chat completion with `answer(request)`. */
export class StubAi {
  readonly requests: { messages: { role: string; content: string }[]; model: string }[] = [];
  private server?: Server;
  url = '';

  constructor(private readonly answer: (userPrompt: string) => unknown) {}

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      this.requests.push(body);
      const user = body.messages.find((m: { role: string }) => m.role === 'user')?.content ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: JSON.stringify(this.answer(user)) } }] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  env(): Record<string, string> {
    return { AI_BASE_URL: this.url, AI_API_KEY: 'test-ai-key', AI_MODEL: 'test-model' };
  }
}

/** A route event as 2.21 builds it (build-logic-function-event.util.ts): raw body + listed headers. */
export const routeEvent = (
  body: unknown,
  headers: Record<string, string> = {},
  query: Record<string, string> = {},
) => {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    parsed = { raw: rawBody };
  }
  return {
    headers,
    queryStringParameters: query,
    pathParameters: {},
    body: parsed,
    rawBody,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/' } },
    userWorkspaceId: null,
  };
};

/** A stub of a third-party HTTP API (Fireflies, Mailchimp, Webmetic…): `route` answers each request. */
export class StubHttp {
  readonly requests: { method: string; path: string; query: URLSearchParams; headers: Record<string, unknown>; body: unknown }[] = [];
  private server?: Server;
  url = '';

  constructor(
    private readonly route: (req: { method: string; path: string; query: URLSearchParams; body: unknown }) => {
      status?: number;
      body: unknown;
    },
  ) {}

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://stub');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* keep text */
      }
      const entry = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
      this.requests.push(entry);
      const answer = this.route(entry);
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** A database event as 2.21's worker passes it to a logic function (recordId + properties). */
export const databaseEvent = (
  name: string,
  after: Record<string, unknown> | null,
  before: Record<string, unknown> | null = null,
  updatedFields?: string[],
) => ({
  name,
  workspaceId: '20202020-1c25-4d02-bf25-6aeccf7ea419',
  recordId: (after?.id ?? before?.id) as string,
  objectMetadata: { nameSingular: name.split('.')[0] },
  properties: { after, before, ...(updatedFields ? { updatedFields } : {}) },
});
