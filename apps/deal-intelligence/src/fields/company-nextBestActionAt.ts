import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '0fb7e2a0-0e0c-4905-bc9d-1c222d0c3cc2',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'nextBestActionAt',
  label: "Next best action as of",
  description: "When Deal intelligence last proposed or confirmed the next best action",
  isNullable: true,
});
