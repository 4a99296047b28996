import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '55736a61-71c3-5d7e-a8f6-57c2af1aaf61',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.TEXT,
  name: 'stripeSubscriptionId',
  label: "Stripe subscription id",
  description: "Stripe subscription id (set by Stripe synchronizer)",
  isNullable: true,
});
