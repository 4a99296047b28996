import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '698a3f1b-facf-5964-9d91-2f3c4c102787',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.TEXT,
  name: 'stripeCustomerId',
  label: "Stripe customer id",
  description: "Stripe customer id (set by Stripe synchronizer)",
  isNullable: true,
});
