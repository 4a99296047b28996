import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '4f910e7e-12c0-5aea-9b9d-9b8ddcb9a677',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.SELECT,
  name: 'interactionStatus',
  label: "Interaction status",
  description: "Interaction status (set by Last email interaction)",
  isNullable: true,
  options: [
    { id: 'a160d33b-6f31-5f0f-8c43-0556409e1d65', value: 'ACTIVE', label: "Active", position: 0, color: 'green' },
    { id: '1b1cd5f2-4e16-5948-95c2-11cc7d67cdd5', value: 'COOLING', label: "Cooling", position: 1, color: 'blue' },
    { id: 'c8f122ef-b187-5904-a995-7f040f3cae06', value: 'DORMANT', label: "Dormant", position: 2, color: 'orange' },
  ],
});
