import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '17f6730d-77fc-45aa-9e87-d75ed0d3fdf5',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.opportunity.universalIdentifier,
  type: FieldType.TEXT,
  name: 'nextBestAction',
  label: "Next best action",
  description: "One concrete next step for this deal (Deal intelligence: AI or rules)",
  isNullable: true,
});
