/** The address a person opens a spreadsheet at: in messages, links in emails, and the CLI's output. */
export const spreadsheetUrl = (spreadsheetId: string): string =>
  `https://docs.google.com/spreadsheets/d/${spreadsheetId}/edit`;
