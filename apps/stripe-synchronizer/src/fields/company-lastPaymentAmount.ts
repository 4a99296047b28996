import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'c8f223ec-5383-5fd4-a2c3-9655ea998f0f',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.CURRENCY,
  name: 'lastPaymentAmount',
  label: "Last payment amount",
  description: "Last payment amount (set by Stripe synchronizer)",
  isNullable: true,
});
