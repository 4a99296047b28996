import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'db215a9a-880e-594d-8622-196115087c1c',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'followUpStartedAt',
  label: "Follow-up started at",
  description: "Follow-up sequence: when it started (replies and meetings after this stop it)",
  isNullable: true,
});
