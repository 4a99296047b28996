// Fireflies.ai → Twenty: fetch the finished transcript from the Fireflies GraphQL API and store it
// as a note linked to the participants we know (people by email, and their companies).
import { HttpError, str } from '@twenty-gcp/apps-shared/http';
import { eq, linkNote, peopleByEmail, type FetchLike, type TwentyClient } from '@twenty-gcp/apps-shared/twenty';

export type FirefliesTranscript = {
  id: string;
  title?: string;
  date?: number | string;
  duration?: number;
  transcript_url?: string;
  participants?: string[];
  meeting_attendees?: { displayName?: string; email?: string }[];
  summary?: { overview?: string; action_items?: string; keywords?: string[] };
};

export const TRANSCRIPT_QUERY = `query Transcript($id: String!) {
  transcript(id: $id) {
    id title date duration transcript_url participants
    meeting_attendees { displayName email }
    summary { overview action_items keywords }
  }
}`;

export const parseWebhook = (body: Record<string, unknown>): { meetingId: string; eventType: string } => {
  const meetingId = str(body.meetingId, 'meetingId') as string;
  const eventType = (str(body.eventType, 'eventType', { required: false }) ?? 'Transcription completed') as string;
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(meetingId)) throw new HttpError(400, 'meetingId has an unexpected format');
  return { meetingId, eventType };
};

export const fetchTranscript = async (
  apiUrl: string,
  apiKey: string,
  meetingId: string,
  fetchImpl: FetchLike = fetch,
): Promise<FirefliesTranscript> => {
  const response = await fetchImpl(apiUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: TRANSCRIPT_QUERY, variables: { id: meetingId } }),
  });
  if (!response.ok) throw new Error(`Fireflies API answered ${response.status}`);
  const answer = (await response.json()) as { data?: { transcript?: FirefliesTranscript }; errors?: { message: string }[] };
  if (answer.errors?.length || !answer.data?.transcript) {
    throw new HttpError(404, `Fireflies has no transcript ${meetingId}`);
  }
  return answer.data.transcript;
};

export const participantEmails = (t: FirefliesTranscript): string[] => {
  const emails = [
    ...(t.meeting_attendees ?? []).map((a) => a.email ?? ''),
    ...(t.participants ?? []).flatMap((p) => p.split(/[,\s]+/)),
  ];
  return [...new Set(emails.map((e) => e.trim().toLowerCase()).filter((e) => e.includes('@')))];
};

export const noteMarkdown = (t: FirefliesTranscript): string => {
  const when = t.date ? new Date(typeof t.date === 'number' ? t.date : Date.parse(t.date)).toISOString() : 'unknown date';
  const lines = [`**Date:** ${when}`];
  if (t.duration) lines.push(`**Duration:** ${Math.round(t.duration)} min`);
  const attendees = (t.meeting_attendees ?? []).map((a) => a.displayName || a.email).filter(Boolean);
  if (attendees.length) lines.push(`**Attendees:** ${attendees.join(', ')}`);
  if (t.summary?.overview) lines.push('', '## Summary', '', t.summary.overview);
  if (t.summary?.action_items) lines.push('', '## Action items', '', t.summary.action_items);
  if (t.summary?.keywords?.length) lines.push('', `**Keywords:** ${t.summary.keywords.join(', ')}`);
  if (t.transcript_url) lines.push('', `[Full transcript in Fireflies](${t.transcript_url})`);
  return lines.join('\n');
};

export const storeTranscript = async (
  twenty: TwentyClient,
  t: FirefliesTranscript,
): Promise<{ status: 'created' | 'duplicate'; noteId: string }> => {
  const existing = await twenty.findOne('notes', eq('firefliesMeetingId', t.id));
  if (existing) return { status: 'duplicate', noteId: existing.id };
  const people = await peopleByEmail(twenty, participantEmails(t));
  const note = await twenty.create('notes', {
    title: `Meeting: ${t.title || t.id}`,
    bodyV2: { markdown: noteMarkdown(t) },
    firefliesMeetingId: t.id,
  });
  await linkNote(twenty, note.id, {
    personIds: people.map((p) => p.id),
    companyIds: people.map((p) => p.companyId).filter((id): id is string => typeof id === 'string'),
  });
  return { status: 'created', noteId: note.id };
};
