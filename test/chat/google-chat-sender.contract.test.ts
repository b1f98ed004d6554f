import { googleChatSender } from '../../src/chat/google-chat.ts';
import { chatSenderContract } from '../contract/chat-sender.contract.ts';
import { ChatEndpoint } from '../support/chat-endpoint.ts';

chatSenderContract('Google Chat', {
  endpoint: () => ChatEndpoint.googleChat(),
  open: googleChatSender,
  acceptedStatus: 200,
});
