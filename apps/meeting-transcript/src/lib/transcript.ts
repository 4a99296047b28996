// A transcript posted by a meeting tool → a note linked to the people (created when unknown) and
// their companies. The note carries the caller's id (idempotence) and a status: RECEIVED while
// links are being written, READY when complete (ai-meeting-transcript listens for READY).
import { EMAIL_RE, HttpError, obj, str } from '@twenty-gcp/apps-shared/http';
import {
  domainOf,
  eq,
  linkNote,
  op,
  peopleByEmail,
  type TwentyClient,
  type TwentyRecord,
} from '@twenty-gcp/apps-shared/twenty';

export const MAX_TRANSCRIPT_CHARS = 500_000;

export type Participant = { name?: string; email: string };
export type Transcript = {
  externalId: string;
  title: string;
  startedAt?: string;
  transcript: string;
  participants: Participant[];
};

export const parseTranscript = (body: Record<string, unknown>): Transcript => {
  const externalId = str(body.externalId, 'externalId') as string;
  if (externalId.length > 200) throw new HttpError(400, 'externalId is longer than 200 characters');
  const title = str(body.title, 'title') as string;
  const transcript = str(body.transcript, 'transcript') as string;
  if (transcript.length > MAX_TRANSCRIPT_CHARS) {
    throw new HttpError(413, `transcript is longer than ${MAX_TRANSCRIPT_CHARS} characters`);
  }
  const startedAt = str(body.startedAt, 'startedAt', { required: false });
  if (startedAt && Number.isNaN(Date.parse(startedAt))) throw new HttpError(400, 'startedAt must be an ISO date');
  if (!Array.isArray(body.participants)) throw new HttpError(400, 'participants must be a list of {name, email}');
  const participants = body.participants.map((p, i) => {
    const item = obj(p, `participants[${i}]`);
    const email = (str(item.email, `participants[${i}].email`) as string).trim().toLowerCase();
    if (!EMAIL_RE.test(email)) throw new HttpError(400, `participants[${i}].email is not an email address`);
    return { email, name: str(item.name, `participants[${i}].name`, { required: false }) };
  });
  return { externalId, title, startedAt, transcript, participants };
};

const splitName = (name: string | undefined, email: string) => {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { firstName: email.split('@')[0], lastName: '' };
  return { firstName: parts[0], lastName: parts.slice(1).join(' ') };
};

const companyForDomain = async (twenty: TwentyClient, domain: string | undefined): Promise<string | undefined> => {
  if (!domain) return undefined;
  const company = await twenty.findOne('companies', op('domainName.primaryLinkUrl', 'ilike', `%${domain}%`));
  return company?.id;
};

/** Existing people by email; unknown participants are created (linked to a company of their domain). */
export const resolvePeople = async (twenty: TwentyClient, participants: Participant[]): Promise<TwentyRecord[]> => {
  const people = await peopleByEmail(twenty, participants.map((p) => p.email));
  const known = new Set(people.map((p) => String((p.emails as { primaryEmail?: string })?.primaryEmail ?? '').toLowerCase()));
  for (const participant of participants) {
    if (known.has(participant.email)) continue;
    known.add(participant.email);
    const companyId = await companyForDomain(twenty, domainOf(participant.email));
    people.push(
      await twenty.create('people', {
        name: splitName(participant.name, participant.email),
        emails: { primaryEmail: participant.email },
        ...(companyId ? { companyId } : {}),
      }),
    );
  }
  return people;
};

export const storeTranscript = async (
  twenty: TwentyClient,
  t: Transcript,
): Promise<{ status: 'created' | 'duplicate' | 'resumed'; noteId: string }> => {
  let note = await twenty.findOne('notes', eq('transcriptExternalId', t.externalId));
  if (note && note.transcriptStatus !== 'RECEIVED') return { status: 'duplicate', noteId: note.id };
  const resumed = Boolean(note);
  if (!note) {
    const header = [`**Started:** ${t.startedAt ?? 'unknown'}`, `**Participants:** ${t.participants.map((p) => p.name || p.email).join(', ')}`];
    note = await twenty.create<TwentyRecord>('notes', {
      title: `Transcript: ${t.title}`,
      bodyV2: { markdown: `${header.join('\n')}\n\n## Transcript\n\n${t.transcript}` },
      transcriptExternalId: t.externalId,
      transcriptStatus: 'RECEIVED',
    });
  }
  const people = await resolvePeople(twenty, t.participants);
  await linkNote(twenty, note.id, {
    personIds: people.map((p) => p.id),
    companyIds: people.map((p) => p.companyId).filter((id): id is string => typeof id === 'string'),
  });
  await twenty.update('notes', note.id, { transcriptStatus: 'READY' });
  return { status: resumed ? 'resumed' : 'created', noteId: note.id };
};
