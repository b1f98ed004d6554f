import { teamsSender } from '../../src/chat/teams.ts';
import { chatSenderContract } from '../contract/chat-sender.contract.ts';
import { ChatEndpoint } from '../support/chat-endpoint.ts';

chatSenderContract('Teams Workflows', { endpoint: () => ChatEndpoint.teams(), open: teamsSender, acceptedStatus: 202 });
