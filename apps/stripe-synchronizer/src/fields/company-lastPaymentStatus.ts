import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'e031c2ba-6a34-52e9-9a8c-1c4f6ad51b56',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.SELECT,
  name: 'lastPaymentStatus',
  label: "Last payment status",
  description: "Last payment status (set by Stripe synchronizer)",
  isNullable: true,
  options: [
    { id: '9f6ddbf3-7cfe-5ef6-a95a-05a1415ca063', value: 'PAID', label: "Paid", position: 0, color: 'green' },
    { id: 'b017d9be-2da3-577b-8727-8858a6910702', value: 'FAILED', label: "Failed", position: 1, color: 'blue' },
  ],
});
