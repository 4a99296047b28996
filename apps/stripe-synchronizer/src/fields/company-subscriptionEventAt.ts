import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '8c9efd1d-3fa1-5cd7-82e0-1c4ce3444595',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.DATE_TIME,
  name: 'subscriptionEventAt',
  label: "Subscription event at",
  description: "Creation time of the last subscription event applied (ordering)",
  isNullable: true,
});
