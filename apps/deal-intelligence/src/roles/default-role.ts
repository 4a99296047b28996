import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

import { leastPrivilegeRole } from '@twenty-gcp/apps-shared/roles';

import { REVENUE_FORECAST_UNIVERSAL_IDENTIFIER } from '../objects/revenue-forecast';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '6ea6c345-9746-4555-9481-98532b0b11ca';

export default defineRole(
  leastPrivilegeRole({
    universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
    label: 'Deal intelligence functions',
    description: 'reads everything; updates opportunities, companies and revenue forecasts; never deletes',
    writes: [
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.opportunity.universalIdentifier,
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
      REVENUE_FORECAST_UNIVERSAL_IDENTIFIER,
    ],
  }),
);
