import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '055baf1d-8e1b-5d78-a538-472e065747fb',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'lastEmailAt',
  label: "Last email",
  description: "Last email (set by Last email interaction)",
  isNullable: true,
});
