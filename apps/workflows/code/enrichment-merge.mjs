// New Person → Auto Enrichment: the provider's answer → the person's fields.
// Understands a Clearbit-style person (`employment.title`, `geo.city`, `linkedin.handle`), an
// Apollo-style match (`person.title`, `person.city`, `person.linkedin_url`) and a flat answer
// (`title`, `city`, `linkedinUrl`). A value the person already has is never blanked: the step
// only fills what is missing, and a failed or empty enrichment changes nothing.
// Stored on the person (2.21 fields): jobTitle, linkedinLink. A 2.21 person has no city field:
// the city goes into the review task's text.

const first = (...values) => values.find((v) => typeof v === 'string' && v.trim() !== '')?.trim() ?? '';

const parse = (value) => {
  if (typeof value !== 'string') return value && typeof value === 'object' ? value : {};
  try {
    const parsed = JSON.parse(value);
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
};

export const main = async (params) => {
  const answer = parse(params?.enrichment);
  const person = answer.person && typeof answer.person === 'object' ? answer.person : answer;
  const linkedinHandle = first(person?.linkedin?.handle);
  const found = {
    jobTitle: first(person?.employment?.title, person?.title, person?.jobTitle),
    linkedinUrl: first(
      person?.linkedin_url,
      person?.linkedinUrl,
      linkedinHandle ? `https://www.linkedin.com/${linkedinHandle}` : '',
    ),
  };
  const current = { jobTitle: first(params?.jobTitle), linkedinUrl: first(params?.linkedinUrl) };
  const filled = Object.keys(found).filter((k) => !current[k] && found[k]);
  const city = first(person?.geo?.city, person?.city, person?.location?.city);
  const lines = [
    filled.length ? `Filled ${filled.join(', ')} from the enrichment provider.` : 'Nothing new from the enrichment provider.',
    ...(city ? [`City: ${city}.`] : []),
  ];
  return {
    jobTitle: current.jobTitle || found.jobTitle,
    linkedinUrl: current.linkedinUrl || found.linkedinUrl,
    city,
    enriched: filled.length > 0,
    filled,
    summary: lines.join(' '),
  };
};
