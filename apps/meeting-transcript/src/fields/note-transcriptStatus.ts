import { FieldType, STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineField } from 'twenty-sdk/define';

export default defineField({
  universalIdentifier: '81c1d0b4-f599-55b0-b87e-1ecc1aafa57b',
  objectUniversalIdentifier: STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.note.universalIdentifier,
  type: FieldType.SELECT,
  name: 'transcriptStatus',
  label: "Transcript status",
  description: "READY once the note and its links are stored; PROCESSED after the AI summary",
  isNullable: true,
  options: [
    { id: '2a7ff018-a074-5898-a704-b44415aa14cc', value: 'RECEIVED', label: "Received", position: 0, color: 'green' },
    { id: 'fa76b291-e6ba-5fe2-b925-87ec7aa06e7d', value: 'READY', label: "Ready", position: 1, color: 'blue' },
    { id: '60fac6c0-fc02-57c0-94d0-9e16c26d3b13', value: 'PROCESSED', label: "Processed", position: 2, color: 'orange' },
  ],
});
