import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '4622f535-662c-4d64-bafa-860ca1f98d0c',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.opportunity.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'winProbabilityAt',
  label: "Win probability changed at",
  description: "When Deal intelligence last changed the win probability",
  isNullable: true,
});
