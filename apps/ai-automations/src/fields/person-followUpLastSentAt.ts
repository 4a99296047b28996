import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '10a511ce-0190-5a8e-b23a-fc40464fa527',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'followUpLastSentAt',
  label: "Follow-up last sent at",
  description: "Follow-up sequence: when the last touch was sent",
  isNullable: true,
});
