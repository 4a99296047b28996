import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '8a29f622-bc8b-5197-a6e4-0bd22336f7ef',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.TEXT,
  name: 'subscriptionPlan',
  label: "Subscription plan",
  description: "Subscription plan (set by Stripe synchronizer)",
  isNullable: true,
});
