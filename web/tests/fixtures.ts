// Shapes the server sends, for tests that build chats and members by hand.
import type { Chat, ChatMember } from '../src/api/types';

/** A plain member's abilities in a conversation: post and respond, nothing more. */
export const MEMBER_ABILITIES: Chat['abilities'] = {
  post: true,
  react: true,
  acknowledge: true,
  report: true,
  request_ack: false,
  pin: false,
  moderate_posts: false,
  follow_reads: false,
  see_versions: false,
  mute: false,
  set_read_only: false,
  manage_members: false,
  handle_reports: false,
  send_urgent: false,
  appoint_authors: false,
  leave: false,
  start_call: true,
  join_call: true,
  host_calls: false,
};

export const NO_ACTIONS: ChatMember['actions'] = {
  mute: false,
  remove: false,
  make_moderator: false,
  revoke_moderator: false,
  make_author: false,
  revoke_author: false,
};
