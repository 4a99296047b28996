import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '4eab681f-eba9-5b77-b36b-4f439ca50ee9',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.note.universalIdentifier,
  type: FieldType.TEXT,
  name: 'transcriptExternalId',
  label: "Transcript external id",
  description: "Caller's transcript id (idempotence)",
  isNullable: true,
});
