import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'f727bfa3-99fa-562a-86cb-f198aa7ed736',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'enrichedAt',
  label: "Enriched at",
  description: "Enriched at (set by AI automations)",
  isNullable: true,
});
