import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'f20d0831-2b83-553d-a1ab-eef2bdc1cf62',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.NUMBER,
  name: 'followUpStep',
  label: "Follow-up touches sent",
  description: "Follow-up sequence: the last touch sent (claimed before sending, so a touch is never sent twice)",
  isNullable: true,
});
