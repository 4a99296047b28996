// Keeps a job under Twenty's API budget. 2.21 throttles every query of an API key to 100 per
// minute per workspace (common-base-query-runner.service.ts throttleQueryExecution,
// API_RATE_LIMITING_LONG_LIMIT / _TTL_IN_MS): a fetch wrapper that spaces calls to at most
// `perMinute` in any rolling minute, and waits and retries (at most 3 times) on a 429 (never
// processed) and, for reads only, on a 502/503/504 (a busy server; a GET changes nothing).
import type { FetchLike } from '@twenty-gcp/apps-shared/twenty';

export type Clock = { now: () => number; sleep: (ms: number) => Promise<void> };
export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export const pacedFetch = (inner: FetchLike, perMinute: number, clock: Clock = realClock) => {
  const sent: number[] = [];
  let calls = 0;
  const paced = (async (input: string, init?: RequestInit) => {
    for (let attempt = 0; ; attempt++) {
      for (;;) {
        const now = clock.now();
        while (sent.length && sent[0] <= now - 60_000) sent.shift();
        if (sent.length < perMinute) break;
        await clock.sleep(sent[0] + 60_000 - now + 1);
      }
      sent.push(clock.now());
      calls++;
      const response = await inner(input, init);
      const read = (init?.method ?? 'GET').toUpperCase() === 'GET';
      const retry = response.status === 429 || (read && [502, 503, 504].includes(response.status));
      if (!retry || attempt >= 3) return response;
      await response.text(); // release the connection
      await clock.sleep(Number(response.headers.get('retry-after') ?? 0) * 1000 || (response.status === 429 ? 20_000 : 5_000));
    }
  }) as FetchLike & { calls: () => number };
  paced.calls = () => calls;
  return paced;
};
