import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '7890555f-0dbe-5b18-8ee1-70600b6b7fec',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.SELECT,
  name: 'mailchimpStatus',
  label: "Mailchimp status",
  description: "Mailchimp status (set by Mailchimp synchronizer)",
  isNullable: true,
  options: [
    { id: 'e4fc8244-5ff5-54a8-bcb1-3331ce72ed1c', value: 'SUBSCRIBED', label: "Subscribed", position: 0, color: 'green' },
    { id: '2e358440-4a04-5b89-a9a3-27bdecd66a18', value: 'UNSUBSCRIBED', label: "Unsubscribed", position: 1, color: 'blue' },
    { id: 'f5927224-fa8b-53a6-ae3c-8566680ae126', value: 'CLEANED', label: "Cleaned", position: 2, color: 'orange' },
    { id: 'a0349a1d-6a03-5bbd-829f-4f5b52dc00c5', value: 'PENDING', label: "Pending", position: 3, color: 'red' },
  ],
});
