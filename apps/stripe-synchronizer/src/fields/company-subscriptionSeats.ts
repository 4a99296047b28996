import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'b4ebf656-601a-5a97-952a-1b838fbed12c',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.NUMBER,
  name: 'subscriptionSeats',
  label: "Subscription seats",
  description: "Subscription seats (set by Stripe synchronizer)",
  isNullable: true,
});
