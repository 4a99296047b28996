import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '67bde6e7-966d-4a96-97e8-7d3f83ad0e88',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.NUMBER,
  name: 'churnRisk',
  label: "Churn risk",
  description: "0-100 churn risk score (set by Deal intelligence)",
  isNullable: true,
});
