import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '9bdcd1c9-07a1-5c01-8067-b18a0635b5b0',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'lastPaymentAt',
  label: "Last payment at",
  description: "Last payment at (set by Stripe synchronizer)",
  isNullable: true,
});
