import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: 'ba973ca2-ba3a-4e42-8401-608b6349c8aa',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.opportunity.universalIdentifier,
  type: FieldType.TEXT,
  name: 'winProbabilityReasons',
  label: "Win probability reasons",
  description: "Top factors behind the win probability (Deal intelligence)",
  isNullable: true,
});
