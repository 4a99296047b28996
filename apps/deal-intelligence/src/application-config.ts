import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = '020eaca2-1643-470f-9d04-500aa5d5fdb9';

// No secrets: the jobs only talk to Twenty. An admin may change these in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: 'Deal intelligence',
  description: 'Win probability (trained on your closed deals), churn risk and a revenue forecast, refreshed nightly.',
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    WON_STAGES: {
      universalIdentifier: '447f16ef-470a-4550-96a9-c5140487164a',
      description: 'Comma-separated opportunity stages that mean won',
      value: 'CUSTOMER',
    },
    LOST_STAGES: {
      universalIdentifier: 'dd5334f9-00d2-4e2f-a0cb-484ec62233a2',
      description: 'Comma-separated opportunity stages that mean lost (add one to your pipeline to train the model)',
      value: 'LOST,CLOSED_LOST',
    },
    FORECAST_MONTHS: {
      universalIdentifier: '6d9719da-7479-44fb-b20d-8ca4b2ba6f58',
      description: 'Months forecast, starting with the current one (1-24)',
      value: '6',
    },
    FORECAST_CURRENCY: {
      universalIdentifier: '3558541a-1c81-448f-9c7b-c25b735ccb93',
      description: 'Currency of the forecast; deals in other currencies are left out',
      value: 'USD',
    },
    CALLS_PER_MINUTE: {
      universalIdentifier: 'db827a97-a199-4d49-8e03-60d8e800b1fc',
      description: 'Most Twenty API calls a job makes per minute (Twenty allows 100 per workspace)',
      value: '60',
    },
  },
});
