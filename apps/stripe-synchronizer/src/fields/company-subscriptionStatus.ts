import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'b14ddece-ebe9-5ed2-90fc-f2c56548fb9a',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.SELECT,
  name: 'subscriptionStatus',
  label: "Subscription status",
  description: "Subscription status (set by Stripe synchronizer)",
  isNullable: true,
  options: [
    { id: '8a2f3ff4-acbe-58eb-8907-24060a0d01a7', value: 'ACTIVE', label: "Active", position: 0, color: 'green' },
    { id: '731790ea-63ca-55c0-956e-78c6bef1ea59', value: 'TRIALING', label: "Trialing", position: 1, color: 'blue' },
    { id: '998290d0-42ce-5e95-a6b9-be9ed360102d', value: 'PAST_DUE', label: "Past due", position: 2, color: 'orange' },
    { id: '29540c58-88cc-5925-bc57-5e2d246ba730', value: 'UNPAID', label: "Unpaid", position: 3, color: 'red' },
    { id: '73cca0ce-307b-56a2-aa3f-5497b2d08ec3', value: 'CANCELED', label: "Canceled", position: 4, color: 'gray' },
    { id: '0cff5a53-80a6-54b7-b664-09872eb1c2db', value: 'INCOMPLETE', label: "Incomplete", position: 5, color: 'purple' },
    { id: 'c6cea92f-05d9-5dcc-8601-91e10722f31c', value: 'INCOMPLETE_EXPIRED', label: "Incomplete expired", position: 6, color: 'yellow' },
    { id: '960c3eb7-5ccc-5f29-95eb-4eaf2616dd4c', value: 'PAUSED', label: "Paused", position: 7, color: 'sky' },
  ],
});
