import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'aab6bc81-540f-4655-a7e1-a65849c46fca',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.NUMBER,
  name: 'seatsPeak',
  label: "Seats peak",
  description: "Highest subscription seat count seen (Deal intelligence, for shrinking seats)",
  isNullable: true,
});
