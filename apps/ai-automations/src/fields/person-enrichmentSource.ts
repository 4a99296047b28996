import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'b9ccc57d-3ec0-5663-9565-d86b5c21a287',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
  type: FieldType.SELECT,
  name: 'enrichmentSource',
  label: "Enrichment source",
  description: "Enrichment source (set by AI automations)",
  isNullable: true,
  options: [
    { id: '13da5e46-9ab4-57b7-9c0a-a3bb61da9506', value: 'API', label: "Enrichment API", position: 0, color: 'green' },
    { id: '44826abb-29d0-5267-80de-7b6e7512b28f', value: 'AI', label: "AI", position: 1, color: 'blue' },
  ],
});
