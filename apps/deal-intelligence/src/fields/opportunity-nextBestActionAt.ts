import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '34e2b57b-4e94-42bd-adc8-4468248e5055',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.opportunity.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'nextBestActionAt',
  label: "Next best action as of",
  description: "When Deal intelligence last proposed or confirmed the next best action",
  isNullable: true,
});
