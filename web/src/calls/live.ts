// Calls as the chat screen sees them: which chat has a call running (fetched when the
// chat opens, then followed by its `call_started` / `call_ended` events), starting one,
// and the call frames of the shared WebSocket for the call page. Part of the app's
// shell; the call page itself is a chunk of its own (../pages/call).
import { signal } from '@preact/signals';
import { ApiError } from '../api/client';
import type { CallParticipant, ClientFrame, ServerFrame } from '../api/types';
import { api } from '../state';
import type { CallInfo } from './model';

/** How many different people (not devices) are in a call. */
export function peopleCount(ps: CallParticipant[]): number {
  return new Set(ps.map((p) => p.person.id)).size;
}

export type CallFrame = Extract<ServerFrame, { call_id: number }>;

/** chat id → the call running there (null: none; absent: not asked yet). */
export const chatCalls = signal<Record<number, CallInfo | null>>({});

function setChatCall(chatId: number, call: CallInfo | null): void {
  chatCalls.value = { ...chatCalls.value, [chatId]: call };
}

const asking = new Map<number, Promise<void>>();

/** Asks the server which call runs in a chat (GET …/call; 404 `no_call` is none). */
export function loadChatCall(chatId: number): Promise<void> {
  const running = asking.get(chatId);
  if (running) return running;
  const p = (async () => {
    try {
      const call = await api.get('/api/v1/chats/{chat_id}/call', { chat_id: chatId });
      setChatCall(chatId, call.ended_at ? null : call);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 403)) setChatCall(chatId, null);
    } finally {
      asking.delete(chatId);
    }
  })();
  asking.set(chatId, p);
  return p;
}

/** chat id → the online lessons running there, known from `call_started` with a lesson. */
export const lessonCalls = signal<Record<number, { callId: number; lessonId: number }[]>>({});

/** The running call of a lesson, when this page heard it start. */
export function lessonCallOf(lessonId: number): number | null {
  for (const list of Object.values(lessonCalls.value)) for (const l of list) if (l.lessonId === lessonId) return l.callId;
  return null;
}

/** chat id → its meetings and broadcasts announced and not open yet (absent: not asked). */
export const upcomingCalls = signal<Record<number, CallInfo[]>>({});

/** Asks which meetings and broadcasts are announced in a chat (nothing when the reader may not join calls there). */
export async function loadUpcoming(chatId: number): Promise<void> {
  try {
    const list = await api.get('/api/v1/chats/{chat_id}/calls/upcoming', { chat_id: chatId });
    upcomingCalls.value = { ...upcomingCalls.value, [chatId]: list };
  } catch {
    upcomingCalls.value = { ...upcomingCalls.value, [chatId]: [] };
  }
}

type CallEvent =
  | { type: 'call_started'; call_id: number; lesson_id?: number | null }
  | { type: 'call_ended'; call_id: number }
  | { type: 'call_scheduled'; call_id: number };

/** A chat's `call_started`, `call_scheduled` or `call_ended` event. */
export function noteCallEvent(chatId: number, event: CallEvent): void {
  const lessons = lessonCalls.value[chatId] ?? [];
  if (event.type === 'call_ended') {
    const cur = chatCalls.value[chatId];
    if (!cur || cur.id === event.call_id) setChatCall(chatId, null);
    if (lessons.some((l) => l.callId === event.call_id)) {
      lessonCalls.value = { ...lessonCalls.value, [chatId]: lessons.filter((l) => l.callId !== event.call_id) };
    }
  } else if (event.type === 'call_started' && event.lesson_id) {
    lessonCalls.value = { ...lessonCalls.value, [chatId]: [...lessons.filter((l) => l.callId !== event.call_id), { callId: event.call_id, lessonId: event.lesson_id }] };
  } else {
    if (event.type === 'call_started') void loadChatCall(chatId);
    if (chatId in upcomingCalls.value) void loadUpcoming(chatId);
  }
}

/** Starts a call in a chat (or gets the one already running there). */
export async function startCall(chatId: number): Promise<CallInfo> {
  const call = await api.post('/api/v1/chats/{chat_id}/calls', { chat_id: chatId });
  setChatCall(chatId, call);
  return call;
}

// ---------- the call frames of the shared connection ----------

const listeners = new Set<(f: CallFrame) => void>();
let sender: ((f: ClientFrame) => boolean) | null = null;

/** The chat store hands over its socket's send. */
export function setCallSender(send: ((f: ClientFrame) => boolean) | null): void {
  sender = send;
}

/** Sends a call frame; false when the connection is not live. */
export function sendCallFrame(f: ClientFrame): boolean {
  return sender ? sender(f) : false;
}

export function onCallFrame(f: (frame: CallFrame) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/**
 * Called by the chat store for every frame about a call. Every member of a chat hears
 * who is in its call (`call_participants`), which keeps the chat's banner current.
 */
export function dispatchCallFrame(frame: CallFrame): void {
  if (frame.type === 'call_participants') {
    for (const [chat, call] of Object.entries(chatCalls.value)) {
      if (call && call.id === frame.call_id) setChatCall(Number(chat), { ...call, participants: frame.participants });
    }
  }
  for (const f of [...listeners]) f(frame);
}

export function forgetCalls(): void {
  chatCalls.value = {};
  lessonCalls.value = {};
  upcomingCalls.value = {};
}
