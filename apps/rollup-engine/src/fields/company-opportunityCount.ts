import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'bbe66dfc-86d9-5d52-bde3-cd6d11cd3807',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.NUMBER,
  name: 'opportunityCount',
  label: "Opportunities",
  description: "Opportunities (set by Rollup engine)",
  isNullable: true,
});
