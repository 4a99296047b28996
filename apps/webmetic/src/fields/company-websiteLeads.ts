import { FieldType, RelationType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

import {
  COMPANY_WEBSITE_LEADS_FIELD_UNIVERSAL_IDENTIFIER,
  WEBSITE_LEAD_COMPANY_FIELD_UNIVERSAL_IDENTIFIER,
  WEBSITE_LEAD_UNIVERSAL_IDENTIFIER,
} from '../objects/website-lead';

export default defineField({
  universalIdentifier: COMPANY_WEBSITE_LEADS_FIELD_UNIVERSAL_IDENTIFIER,
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
  type: FieldType.RELATION,
  name: 'websiteLeads',
  label: 'Website leads',
  description: 'Website visits of this company (Webmetic)',
  relationTargetObjectMetadataUniversalIdentifier: WEBSITE_LEAD_UNIVERSAL_IDENTIFIER,
  relationTargetFieldMetadataUniversalIdentifier: WEBSITE_LEAD_COMPANY_FIELD_UNIVERSAL_IDENTIFIER,
  isNullable: true,
  universalSettings: { relationType: RelationType.ONE_TO_MANY },
});
