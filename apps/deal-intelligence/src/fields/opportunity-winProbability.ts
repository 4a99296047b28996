import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '67d36b40-8a2c-43d8-b277-a027f8d7da91',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.opportunity.universalIdentifier,
  type: FieldType.NUMBER,
  name: 'winProbability',
  label: "Win probability",
  description: "0-100 chance this deal is won (set by Deal intelligence)",
  isNullable: true,
});
