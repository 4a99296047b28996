import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = '2a6b73cd-2bd8-5f0a-a1d9-5389daeb0a21';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "Meeting transcript",
  description: "Receives meeting transcripts and stores them as notes linked to the people and companies involved.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    MEETING_TRANSCRIPT_SECRET: {
      universalIdentifier: '64dc5b13-1fe4-5e4a-851c-998bfae266f6',
      description: "Shared secret callers send in the x-webhook-secret header",
      isSecret: true,
    },
  },
});
