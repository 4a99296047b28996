import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'a03745f3-d7ea-568c-9880-4480fb70295c',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.TEXT,
  name: 'followUpStatus',
  label: "Follow-up status",
  description: "Follow-up sequence: ACTIVE, COMPLETED, REPLIED, MEETING_BOOKED or STOPPED (set by the follow-up-sequence workflow; clear it and the step to restart)",
  isNullable: true,
});
