/** The address a person opens a base at: in messages and the CLI's output. */
export const airtableBaseUrl = (baseId: string): string => `https://airtable.com/${baseId}`;

/** The address of one record: links in emails open it. */
export const airtableRecordUrl = (baseId: string, tableId: string, recordId: string): string =>
  `https://airtable.com/${baseId}/${tableId}/${recordId}`;
