import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '61a32369-48bf-4d36-b17b-89671cbf6eab',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.TEXT,
  name: 'churnRiskReasons',
  label: "Churn risk reasons",
  description: "The rules behind the churn risk (Deal intelligence)",
  isNullable: true,
});
