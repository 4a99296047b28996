import { FieldType, defineObject } from 'twenty-sdk/define';

export const REVENUE_FORECAST_UNIVERSAL_IDENTIFIER = '7011cd41-96e7-4d72-80a2-199b2a94a16c';
const NAME_FIELD = 'ea0e39a9-49e0-4d3c-84dc-24fbde9eac18';

// One row per month × grouping (whole pipeline, owner, stage), keyed by forecastKey
// "<YYYY-MM>|<TOTAL|OWNER|STAGE>|<group key>"; the nightly job keeps the horizon's rows current.
export default defineObject({
  universalIdentifier: REVENUE_FORECAST_UNIVERSAL_IDENTIFIER,
  nameSingular: 'revenueForecast',
  namePlural: 'revenueForecasts',
  labelSingular: 'Revenue forecast',
  labelPlural: 'Revenue forecasts',
  description: 'Expected revenue per month (Σ amount × win probability) with a 90 % band, by owner and stage (Deal intelligence)',
  icon: 'IconChartLine',
  labelIdentifierFieldMetadataUniversalIdentifier: NAME_FIELD,
  fields: [
    { universalIdentifier: NAME_FIELD, type: FieldType.TEXT, name: 'name', label: 'Name', description: 'Month and group' },
    { universalIdentifier: 'ba105e41-05c6-4825-b3cd-57a458f07880', type: FieldType.TEXT, name: 'forecastKey', label: 'Forecast key', description: 'month|groupBy|groupKey (idempotence)' },
    { universalIdentifier: 'b2ad2840-f1ed-4c32-9851-8e398291fbe9', type: FieldType.TEXT, name: 'month', label: 'Month', description: 'YYYY-MM of the close dates' },
    {
      universalIdentifier: '11f08d9a-456d-47dd-9722-98b4e842eafe',
      type: FieldType.SELECT,
      name: 'groupBy',
      label: 'Group by',
      defaultValue: "'TOTAL'",
      options: [
        { id: 'b837a0c8-eea0-4d37-b413-e223d4d1b02b', value: 'TOTAL', label: 'All deals', position: 0, color: 'blue' },
        { id: '3ffb9559-602b-48a8-aff9-425cfe7c983e', value: 'OWNER', label: 'Owner', position: 1, color: 'green' },
        { id: '909088a3-6073-4919-87f5-e630b20046a9', value: 'STAGE', label: 'Stage', position: 2, color: 'purple' },
      ],
    },
    { universalIdentifier: 'e5034e07-711c-4afa-9d20-8f1e2dedbed7', type: FieldType.TEXT, name: 'groupKey', label: 'Group key', description: 'Owner id, stage or "all"' },
    { universalIdentifier: '4b607f7a-6136-4992-81e2-b25e2a5fa1e0', type: FieldType.TEXT, name: 'groupLabel', label: 'Group', description: 'Owner name, stage or "All deals"' },
    { universalIdentifier: '96730a62-1c90-4fbe-a494-079cad9c94d3', type: FieldType.CURRENCY, name: 'expectedAmount', label: 'Expected', description: 'Σ amount × win probability' },
    { universalIdentifier: '19de9684-3623-495d-8887-1d5eaa505d09', type: FieldType.CURRENCY, name: 'bestAmount', label: 'Best case', description: 'Upper end of the 90 % band' },
    { universalIdentifier: '8cfd009c-c6ed-4097-82af-ce896d587df5', type: FieldType.CURRENCY, name: 'worstAmount', label: 'Worst case', description: 'Lower end of the 90 % band' },
    { universalIdentifier: '70a84873-a4fd-466a-bbc0-9fb49f02b120', type: FieldType.CURRENCY, name: 'pipelineAmount', label: 'Pipeline', description: 'Σ amount of the open deals counted' },
    { universalIdentifier: 'b4dbeaf7-811e-45c5-ab7a-47013f334916', type: FieldType.NUMBER, name: 'dealCount', label: 'Deals', description: 'Open deals counted' },
  ],
});
