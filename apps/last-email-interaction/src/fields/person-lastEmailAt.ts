import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '74e827ee-7387-5fe1-a57f-0b8ab84264e2',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'lastEmailAt',
  label: "Last email",
  description: "Last email (set by Last email interaction)",
  isNullable: true,
});
