import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'e41cebb8-48f8-5e4f-9ada-68b022f75b99',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.opportunity.universalIdentifier,
  type: FieldType.NUMBER,
  name: 'aiScore',
  label: "Score",
  description: "0-100 deal score computed by AI automations",
  isNullable: true,
});
