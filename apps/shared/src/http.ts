// Route-trigger plumbing: the event Twenty 2.21 passes to an HTTP route logic function (AWS HTTP
// API v2 style, see twenty-sdk's RoutePayload) and the `__twentyHttpResponse` envelope that lets a
// handler choose its HTTP status (2.21 route-trigger-response.util.ts).

export type RouteEvent = {
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
  body?: unknown;
  rawBody?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string; path?: string } };
};

export type HttpResponse = {
  __twentyHttpResponse: true;
  status: number;
  headers: Record<string, string>;
  body: unknown;
};

/** An error that becomes an HTTP answer with this status (4xx: the caller's fault). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const respond = (status: number, body: unknown): HttpResponse => ({
  __twentyHttpResponse: true,
  status,
  headers: { 'content-type': 'application/json' },
  body,
});

export const header = (event: RouteEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

/** The exact bytes the sender signed. 2.21 forwards `rawBody`; without it, fall back to `body`. */
export const rawBodyOf = (event: RouteEvent): string => {
  if (typeof event.rawBody === 'string') return event.rawBody;
  if (typeof event.body === 'string') {
    return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  }
  if (event.body === undefined || event.body === null) return '';
  return JSON.stringify(event.body);
};

/** The JSON object in the request; 400 when the body is missing, not JSON or not an object. */
export const jsonBody = (event: RouteEvent): Record<string, unknown> => {
  let body: unknown = event.body;
  if (typeof event.rawBody === 'string' && event.rawBody.length > 0) {
    try {
      body = JSON.parse(event.rawBody);
    } catch {
      throw new HttpError(400, 'request body is not valid JSON');
    }
  } else if (typeof body === 'string') {
    try {
      body = JSON.parse(rawBodyOf(event));
    } catch {
      throw new HttpError(400, 'request body is not valid JSON');
    }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
};

/** A required app variable; a missing one is the operator's fault, answered 500 without details. */
export const requireEnv = (name: string, env: NodeJS.ProcessEnv = process.env): string => {
  const value = env[name];
  if (!value) throw new ConfigError(`application variable ${name} is not set`);
  return value;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A TwentyApiError (./twenty) whose status says the request itself was wrong, not Twenty's state. */
const isRefusedByTwenty = (error: unknown): error is { status: number } => {
  const status = (error as { name?: string; status?: unknown } | null)?.status;
  return (error as { name?: string } | null)?.name === 'TwentyApiError' && typeof status === 'number'
    && status >= 400 && status < 500 && ![401, 403, 408, 409, 429].includes(status);
};

/**
 * Run a route handler: HttpError → its status; ConfigError → 500 naming the missing setting;
 * Twenty refusing the data (a 4xx other than auth, conflict or rate limit) → 422, as a resend
 * cannot help; anything else (Twenty or a provider failing) → 502 so the sender retries later.
 */
export const handleRoute = async (
  event: RouteEvent,
  handler: (event: RouteEvent) => Promise<unknown>,
): Promise<HttpResponse> => {
  try {
    const result = await handler(event);
    return respond(200, result ?? { ok: true });
  } catch (error) {
    if (error instanceof HttpError) return respond(error.status, { error: error.message });
    if (error instanceof ConfigError) {
      console.error(error.message);
      return respond(500, { error: 'the app is not configured: ' + error.message });
    }
    if (isRefusedByTwenty(error)) {
      // Twenty refused the data this event would write (seen live: a company URL with "_"):
      // resending the same event cannot succeed, so the sender must not be told to retry.
      console.error('Twenty refused the write', error);
      return respond(422, { error: `Twenty refused what this event would write (HTTP ${error.status}); resending it will not help` });
    }
    console.error('route handler failed', error);
    return respond(502, { error: 'upstream call failed; retry later' });
  }
};

// ---------------------------------------------------------------- small validators

export const str = (value: unknown, what: string, { required = true } = {}): string | undefined => {
  if (value === undefined || value === null || value === '') {
    if (required) throw new HttpError(400, `${what} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new HttpError(400, `${what} must be a string`);
  return value;
};

export const obj = (value: unknown, what: string): Record<string, unknown> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, `${what} must be an object`);
  }
  return value as Record<string, unknown>;
};

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
