// Database-event payloads (twenty-sdk DatabaseEventPayload): `recordId` and `properties.before/after`.
export type DatabaseEvent = {
  name?: string;
  recordId?: string;
  properties?: {
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
    updatedFields?: string[];
  };
};

export const recordOf = (event: DatabaseEvent): Record<string, unknown> | null =>
  event?.properties?.after ?? event?.properties?.before ?? null;

export const recordIdOf = (event: DatabaseEvent): string | undefined => {
  const id = event?.recordId ?? (recordOf(event)?.id as string | undefined);
  return typeof id === 'string' ? id : undefined;
};

/** True when only the listed fields changed: our own writes must not re-trigger us. */
export const onlyTheseChanged = (event: DatabaseEvent, fields: string[]): boolean => {
  const changed = event?.properties?.updatedFields;
  return Array.isArray(changed) && changed.length > 0 && changed.every((f) => fields.includes(f));
};

export const daysAgo = (days: number, now = new Date()): Date => new Date(now.getTime() - days * 86_400_000);
