import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'fe5f7739-a208-4de3-a1af-d3be47a5a43a',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.TEXT,
  name: 'nextBestAction',
  label: "Next best action",
  description: "One concrete next step for this account (Deal intelligence: AI or rules)",
  isNullable: true,
});
