import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '12a3efc3-64d6-512a-b309-504f8a4e8d1e',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.TEXT,
  name: 'followUpRunKey',
  label: "Follow-up run key",
  description: "Follow-up sequence: the run that owns the sequence (a newer run takes over; an older one stops sending)",
  isNullable: true,
});
