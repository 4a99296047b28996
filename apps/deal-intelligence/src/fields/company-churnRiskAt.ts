import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '69ff366c-b599-419b-b699-5291b2fbfd98',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'churnRiskAt',
  label: "Churn risk changed at",
  description: "When Deal intelligence last changed the churn risk",
  isNullable: true,
});
