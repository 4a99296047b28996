import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '68111dd1-5da9-5ea8-aede-95a239968811',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'lastCloseDate',
  label: "Last close date",
  description: "Last close date (set by Rollup engine)",
  isNullable: true,
});
