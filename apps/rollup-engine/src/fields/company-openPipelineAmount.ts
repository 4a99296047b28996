import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '680bfc70-1aeb-5bb0-bbb3-3e6e9449a55f',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.CURRENCY,
  name: 'openPipelineAmount',
  label: "Open pipeline",
  description: "Open pipeline (set by Rollup engine)",
  isNullable: true,
});
