/** A tab's title as A1 notation names it: always quoted, with quotes in the title doubled. */
export const quoteTab = (name: string) => `'${name.replace(/'/g, "''")}'`;
