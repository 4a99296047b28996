import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '301cc0cc-1998-50ff-8a05-ee4636606d64',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.TEXT,
  name: 'stripeLastEventId',
  label: "Last Stripe event id",
  description: "Id of the last Stripe event applied (idempotence)",
  isNullable: true,
});
