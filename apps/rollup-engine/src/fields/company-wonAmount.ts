import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '42918535-ff8c-5e31-98c7-82e2b3aa3e6d',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.CURRENCY,
  name: 'wonAmount',
  label: "Won amount",
  description: "Won amount (set by Rollup engine)",
  isNullable: true,
});
