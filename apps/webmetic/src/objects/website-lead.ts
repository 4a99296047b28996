import { FieldType, OnDeleteAction, RelationType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineObject } from 'twenty-sdk/define';

export const WEBSITE_LEAD_UNIVERSAL_IDENTIFIER = '9f6a1217-d83b-579f-bd16-299b93815f7d';
export const WEBSITE_LEAD_COMPANY_FIELD_UNIVERSAL_IDENTIFIER = '75cb0046-e199-5401-9484-d826a5470c73';
export const COMPANY_WEBSITE_LEADS_FIELD_UNIVERSAL_IDENTIFIER = 'a9c7a3e1-4264-5dfc-bd83-b1b741575541';
const NAME_FIELD = 'c98c7084-8c26-50cc-a3e1-d24f0850d2b7';

export default defineObject({
  universalIdentifier: WEBSITE_LEAD_UNIVERSAL_IDENTIFIER,
  nameSingular: 'websiteLead',
  namePlural: 'websiteLeads',
  labelSingular: 'Website lead',
  labelPlural: 'Website leads',
  description: 'A company visiting our website, as identified by Webmetic',
  icon: 'IconWorldWww',
  labelIdentifierFieldMetadataUniversalIdentifier: NAME_FIELD,
  fields: [
    { universalIdentifier: NAME_FIELD, type: FieldType.TEXT, name: 'name', label: 'Name', description: 'Visiting company and date' },
    { universalIdentifier: '8664f938-2601-580e-aa9c-079ced89242f', type: FieldType.TEXT, name: 'webmeticId', label: 'Webmetic id', description: 'Webmetic visit id (idempotence)' },
    { universalIdentifier: '3b993052-be57-526b-9ae1-0d48a4e128a7', type: FieldType.DATE_TIME, name: 'visitedAt', label: 'Visited at' },
    { universalIdentifier: 'c7080adc-f95e-5248-829c-8d8a16374728', type: FieldType.NUMBER, name: 'pageViews', label: 'Page views' },
    { universalIdentifier: '03039049-da80-50a6-99f9-332631f12448', type: FieldType.NUMBER, name: 'durationSeconds', label: 'Duration (s)' },
    { universalIdentifier: '4a750226-44af-5a0d-959e-c68afec86f43', type: FieldType.NUMBER, name: 'score', label: 'Lead score' },
    { universalIdentifier: '8c920b0c-4879-50f1-9655-32231b808cbe', type: FieldType.TEXT, name: 'referrer', label: 'Referrer' },
    { universalIdentifier: '6e5d5b03-30bf-5b27-87f4-0236264c7423', type: FieldType.TEXT, name: 'pages', label: 'Pages visited' },
    { universalIdentifier: 'c5a50692-21dd-5eea-a8be-327d2a277e4d', type: FieldType.TEXT, name: 'companyDomain', label: 'Company domain' },
    {
      universalIdentifier: '194d8384-0bcf-5e6f-9a49-d780f212ddc0',
      type: FieldType.SELECT,
      name: 'status',
      label: 'Status',
      defaultValue: "'NEW'",
      options: [
        { id: '0b7f8e0e-6f7a-5b8e-9a11-3f1d2c4b5a01', value: 'NEW', label: 'New', position: 0, color: 'blue' },
        { id: '0b7f8e0e-6f7a-5b8e-9a11-3f1d2c4b5a02', value: 'QUALIFIED', label: 'Qualified', position: 1, color: 'green' },
        { id: '0b7f8e0e-6f7a-5b8e-9a11-3f1d2c4b5a03', value: 'LOST', label: 'Lost', position: 2, color: 'gray' },
      ],
    },
    {
      universalIdentifier: WEBSITE_LEAD_COMPANY_FIELD_UNIVERSAL_IDENTIFIER,
      type: FieldType.RELATION,
      name: 'company',
      label: 'Company',
      description: 'The visiting company',
      relationTargetObjectMetadataUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
      relationTargetFieldMetadataUniversalIdentifier: COMPANY_WEBSITE_LEADS_FIELD_UNIVERSAL_IDENTIFIER,
      isNullable: true,
      universalSettings: { relationType: RelationType.MANY_TO_ONE, onDelete: OnDeleteAction.SET_NULL, joinColumnName: 'companyId' },
    },
  ],
});
