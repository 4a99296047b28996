// Follow-up sequence: the e-mail for touch k from the email-composer agent's draft. The agent
// answers {subject, body} (its JSON response format); 2.21 may hand it over as an object, as JSON
// text or inside `response`. When the draft step failed (it sits in its own loop that goes on after
// a failure, so the draft is then missing) or is unusable, the touch's written template is sent:
// an AI outage does not stop the sequence.

const TEMPLATES = [
  ['Following up', 'Hi {first},\n\nI wanted to follow up on my last note. Would a short call this week be useful?\n\nBest regards'],
  ['Quick question', 'Hi {first},\n\nIs this a priority for you right now, or should I check back later?\n\nBest regards'],
  ['Closing the loop', 'Hi {first},\n\nI have not heard back, so I will stop following up for now. Reply any time if this becomes relevant.\n\nBest regards'],
];

const parse = (value) => {
  if (typeof value === 'string') {
    try {
      return parse(JSON.parse(value));
    } catch {
      return { text: value };
    }
  }
  if (value && typeof value === 'object' && 'response' in value) return parse(value.response);
  return value && typeof value === 'object' ? value : {};
};

const clean = (v) => (typeof v === 'string' ? v.trim() : '');

export const main = async (params) => {
  const k = Math.max(1, Number(params?.touch) || 1);
  const first = clean(params?.firstName) || 'there';
  const draft = parse(params?.draft);
  const [subject, body] = TEMPLATES[Math.min(k, TEMPLATES.length) - 1];
  const usable = clean(draft.subject) && clean(draft.body) && !/^STUB:/.test(clean(draft.body));
  return {
    subject: usable ? clean(draft.subject) : subject,
    body: usable ? clean(draft.body) : body.replace('{first}', first),
    drafted: Boolean(usable),
  };
};
