import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '3b1aaf11-10fb-57ad-a11a-95ae71a3d6e6',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.SELECT,
  name: 'interactionStatus',
  label: "Interaction status",
  description: "Interaction status (set by Last email interaction)",
  isNullable: true,
  options: [
    { id: 'ee34105f-ca44-5f63-b584-dab6b8d4f4a1', value: 'ACTIVE', label: "Active", position: 0, color: 'green' },
    { id: 'd4d4349b-8a57-5af5-a2e7-f4f2b5e4f936', value: 'COOLING', label: "Cooling", position: 1, color: 'blue' },
    { id: 'bd80c387-4972-5b68-9155-96bcb965b91d', value: 'DORMANT', label: "Dormant", position: 2, color: 'orange' },
  ],
});
