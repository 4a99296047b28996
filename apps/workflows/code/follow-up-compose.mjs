// Follow-up sequence: the e-mail for touch k from the email-composer agent's draft. The agent
// answers {subject, body} (its JSON response format); 2.21 may hand it over as an object, as JSON
// text or inside `response`. When the draft step failed (it sits in its own loop that goes on after
// a failure, so the draft is then missing) or is unusable, the touch's written template is sent:
// an AI outage does not stop the sequence, and `draftError` says plainly why the template was used.
//
// Why the answer must be checked here: 2.21 asks the model for the schema (agent-async-executor
// .service.ts: a second generateText with Output.object({schema: jsonSchema(agent schema)})), but
// the AI SDK's jsonSchema() carries no validator, so ANY JSON the model returns becomes the step's
// result; and an OpenAI-compatible provider (createOpenAICompatible, supportsStructuredOutputs off)
// is sent response_format json_object without the schema at all. Text that is not JSON fails the
// step ("No object generated: could not parse the response.").

const TEMPLATES = [
  ['Following up', 'Hi {first},\n\nI wanted to follow up on my last note. Would a short call this week be useful?\n\nBest regards'],
  ['Quick question', 'Hi {first},\n\nIs this a priority for you right now, or should I check back later?\n\nBest regards'],
  ['Closing the loop', 'Hi {first},\n\nI have not heard back, so I will stop following up for now. Reply any time if this becomes relevant.\n\nBest regards'],
];
const MAX_SUBJECT = 200;
const MAX_BODY = 5000;

const parse = (value) => {
  if (typeof value === 'string') {
    try {
      return parse(JSON.parse(value));
    } catch {
      return { text: value };
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && 'response' in value) return parse(value.response);
  if (Array.isArray(value)) return { shape: 'a list' };
  return value && typeof value === 'object' ? value : { shape: `a ${typeof value}` };
};

const clean = (v) => (typeof v === 'string' ? v.trim() : '');
const quote = (v) => JSON.stringify(String(v).slice(0, 60));

// What is wrong with the agent's answer, in words; '' when it is a usable draft.
const problemWith = (raw, draft) => {
  if (raw === undefined || raw === null || raw === '') return 'no draft: the AI step failed or did not run';
  if ('text' in draft) return `the agent answered text, not JSON with subject and body: ${quote(draft.text)}`;
  if ('shape' in draft) return `the agent answered ${draft.shape}, not an object with subject and body`;
  const subject = draft.subject;
  const body = draft.body;
  const missing = [typeof subject === 'string' && subject.trim() ? '' : 'subject', typeof body === 'string' && body.trim() ? '' : 'body'].filter(Boolean);
  if (missing.length) {
    const keys = Object.keys(draft);
    return `the agent's answer has no ${missing.join(' and no ')} (keys: ${keys.length ? keys.join(', ') : 'none'})`;
  }
  if (/[\r\n]/.test(subject.trim()) || subject.trim().length > MAX_SUBJECT) return `the agent's subject is not one line of at most ${MAX_SUBJECT} characters`;
  if (body.trim().length > MAX_BODY) return `the agent's body is longer than ${MAX_BODY} characters`;
  if (/^STUB:/.test(body.trim())) return 'the agent answered a placeholder (STUB: …), not a draft';
  return '';
};

export const main = async (params) => {
  const k = Math.max(1, Number(params?.touch) || 1);
  const first = clean(params?.firstName) || 'there';
  const draft = parse(params?.draft);
  const draftError = problemWith(params?.draft, draft);
  const [subject, body] = TEMPLATES[Math.min(k, TEMPLATES.length) - 1];
  return {
    subject: draftError ? subject : clean(draft.subject),
    body: draftError ? body.replace('{first}', first) : clean(draft.body),
    drafted: !draftError,
    draftError,
  };
};
