"""Twenty apps on ``/metadata``: the app-sync protocol the ``twenty`` CLI speaks (contract
app-sync/calls and examples 195–199), application registrations and variables, and the object
names an app's objects must not clash with."""

from __future__ import annotations

from twenty_api.operations import mutation, query

# the error code of createApplicationRegistration when the app's identifier is registered already
ALREADY_CLAIMED = "UNIVERSAL_IDENTIFIER_ALREADY_CLAIMED"

OBJECT_NAMES = query(
    "objects",
    "query ObjectNames { objects(paging: {first: 1000}) { edges { node { id nameSingular "
    "namePlural universalIdentifier applicationId } } } }",
)
SYNC_APPLICATION = mutation(
    "syncApplication",
    "mutation SyncApplication($manifest: JSON!, $dryRun: Boolean) { syncApplication(manifest: $manifest, "
    "dryRun: $dryRun) { applicationUniversalIdentifier actions } }",
)
# the same document with dryRun: true changes nothing, so it may be repeated when Twenty or the
# network fails half-way
PLAN_APPLICATION_SYNC = mutation("syncApplication", SYNC_APPLICATION.document, safe=True)
CREATE_REGISTRATION = mutation(
    "createApplicationRegistration",
    "mutation CreateApplicationRegistration($input: CreateApplicationRegistrationInput!) { "
    "createApplicationRegistration(input: $input) { applicationRegistration { id universalIdentifier "
    "oAuthClientId } clientSecret } }",
)
FIND_REGISTRATION = query(
    "findApplicationRegistrationByUniversalIdentifier",
    "query FindApplicationRegistrationByUniversalIdentifier($universalIdentifier: String!) { "
    "findApplicationRegistrationByUniversalIdentifier(universalIdentifier: $universalIdentifier) "
    "{ id universalIdentifier name oAuthClientId } }",
)
CREATE_DEVELOPMENT_APPLICATION = mutation(
    "createDevelopmentApplication",
    "mutation CreateDevelopmentApplication($universalIdentifier: String!, $name: String!) { "
    "createDevelopmentApplication(universalIdentifier: $universalIdentifier, name: $name) "
    "{ id universalIdentifier } }",
)
UPLOAD_APPLICATION_FILE = mutation(
    "uploadApplicationFile",
    "mutation UploadApplicationFile($file: Upload!, $applicationUniversalIdentifier: String!, "
    "$fileFolder: FileFolder!, $filePath: String!) { uploadApplicationFile(file: $file, "
    "applicationUniversalIdentifier: $applicationUniversalIdentifier, fileFolder: $fileFolder, "
    "filePath: $filePath) { path } }",
)
FIND_APPLICATION = query(
    "findOneApplication",
    "query FindOneApplication($universalIdentifier: UUID!) { findOneApplication(universalIdentifier: "
    "$universalIdentifier) { id name universalIdentifier applicationVariables { key value isSecret } } }",
)
SET_APPLICATION_VARIABLE = mutation(
    "updateOneApplicationVariable",
    "mutation UpdateOneApplicationVariable($key: String!, $value: String!, $applicationId: UUID!) { "
    "updateOneApplicationVariable(key: $key, value: $value, applicationId: $applicationId) }",
)
