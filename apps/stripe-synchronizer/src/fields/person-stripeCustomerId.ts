import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '5b790281-08a7-546f-b30b-061ad80a3181',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.TEXT,
  name: 'stripeCustomerId',
  label: "Stripe customer id",
  description: "Stripe customer id (set by Stripe synchronizer)",
  isNullable: true,
});
