import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'be075b91-9f79-5ae9-935f-7774474f7bda',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.note.universalIdentifier,
  type: FieldType.TEXT,
  name: 'firefliesMeetingId',
  label: "Fireflies meeting id",
  description: "Fireflies transcript id (idempotence)",
  isNullable: true,
});
