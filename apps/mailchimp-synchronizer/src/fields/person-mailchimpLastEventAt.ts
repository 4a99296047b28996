import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '11940208-fc20-5a13-8d01-755f41aed715',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'mailchimpLastEventAt',
  label: "Mailchimp last event",
  description: "fired_at of the last Mailchimp webhook applied (ordering, idempotence)",
  isNullable: true,
});
