// Calls an OpenAI-compatible chat completions endpoint (OpenAI, Azure OpenAI's /openai/v1, Groq…)
// configured by app variables AI_BASE_URL / AI_MODEL / AI_API_KEY, asking for a JSON object.
import { ConfigError } from './http';
import type { FetchLike } from './twenty';

export type AiConfig = { baseUrl: string; apiKey: string; model: string };

export const aiConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): AiConfig => {
  const baseUrl = env.AI_BASE_URL;
  const apiKey = env.AI_API_KEY;
  const model = env.AI_MODEL;
  if (!baseUrl || !apiKey || !model) {
    throw new ConfigError('AI_BASE_URL, AI_MODEL and AI_API_KEY must be set to use AI features');
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey, model };
};

export const aiConfigured = (env: NodeJS.ProcessEnv = process.env): boolean =>
  Boolean(env.AI_BASE_URL && env.AI_API_KEY && env.AI_MODEL);

export class AiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AiError';
  }
}

/**
 * One chat completion asking for a JSON object (`response_format: json_object`); returns the
 * answer's text as the model wrote it ('' when it has none), for callers that accept more than
 * JSON. `timeoutMs` aborts a call the endpoint never answers.
 */
export const chatContent = async (
  config: AiConfig,
  system: string,
  user: string,
  fetchImpl: FetchLike = fetch,
  timeoutMs?: number,
): Promise<string> => {
  const response = await fetchImpl(`${config.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${config.apiKey}` },
    body: JSON.stringify({
      model: config.model,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
    }),
    ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
  });
  if (!response.ok) throw new AiError(`AI endpoint answered ${response.status}`);
  const answer = (await response.json()) as { choices?: { message?: { content?: string } }[] };
  return answer.choices?.[0]?.message?.content ?? '';
};

/** One chat completion whose answer must be a JSON object; returns the parsed object. */
export const chatJson = async <T = Record<string, unknown>>(
  config: AiConfig,
  system: string,
  user: string,
  fetchImpl: FetchLike = fetch,
): Promise<T> => {
  const content = await chatContent(config, system, user, fetchImpl);
  if (!content) throw new AiError('AI answer has no content');
  try {
    const parsed = JSON.parse(content) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as T;
  } catch {
    throw new AiError('AI answer is not a JSON object');
  }
};
