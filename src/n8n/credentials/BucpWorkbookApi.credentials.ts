import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The local-workbook tracker: the two .xlsx files on the n8n host. n8n has no credential for a
 * file, so this is our one credential; Google Sheets uses n8n's own Google service account.
 */
export class BucpWorkbookApi implements ICredentialType {
  name = 'bucpWorkbookApi';
  displayName = 'BUCP Local Workbook';
  icon = 'file:bucp.svg' as const;
  properties: INodeProperties[] = [
    {
      displayName: 'Tracker Workbook Path',
      name: 'trackerPath',
      type: 'string',
      default: '',
      required: true,
      placeholder: '/home/node/bucp/tracker.xlsx',
      description: 'The shared tracker workbook on the n8n host (create it with `bucp init`)',
    },
    {
      displayName: 'Restricted Workbook Path',
      name: 'restrictedPath',
      type: 'string',
      default: '',
      required: true,
      placeholder: '/home/node/bucp/restricted.xlsx',
      description: 'The restricted workbook: Specialized Security, Specialized Privacy and Known Risks',
    },
  ];
}
