import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'b775815a-9c26-58c1-b8e5-81028e752a6d',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.note.universalIdentifier,
  type: FieldType.TEXT,
  name: 'aiSummaryNoteId',
  label: "AI summary note id",
  description: "Summary note created for this transcript (idempotence)",
  isNullable: true,
});
