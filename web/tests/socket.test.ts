import { describe, expect, it } from 'vitest';
import { resumeFrame, type ServerFrame } from '../src/chat/model';
import { ChatSocket, socketUrl, type ConnState, type WebSocketLike } from '../src/chat/socket';

class FakeWs implements WebSocketLike {
  readyState = 0;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  sent: unknown[] = [];
  closed: number | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000) {
    this.closed = code;
  }
  // server side
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(f: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function harness(opts: { online?: () => boolean } = {}) {
  const sockets: FakeWs[] = [];
  const timers: { f: () => void; ms: number }[] = [];
  const states: ConnState[] = [];
  const frames: ServerFrame[] = [];
  const log: string[] = [];
  let positions = new Map<number, number>([[8, 17]]);
  const s = new ChatSocket({
    url: 'ws://school.example/api/v1/ws',
    create: (url) => {
      const ws = new FakeWs(url);
      sockets.push(ws);
      return ws;
    },
    resume: (w) => resumeFrame(w.user_seq, positions),
    onFrame: (f) => frames.push(f),
    onState: (st) => states.push(st),
    onSessionEnded: () => log.push('session-ended'),
    onResyncAll: () => log.push('resync-all'),
    setTimer: (f, ms) => {
      timers.push({ f, ms });
      return timers.length - 1;
    },
    clearTimer: (i) => {
      const t = timers[i as number];
      if (t) t.f = () => {};
    },
    random: () => 0,
    isOnline: opts.online,
  });
  return {
    s,
    sockets,
    timers,
    states,
    frames,
    log,
    setPositions: (p: Map<number, number>) => (positions = p),
    last: () => sockets[sockets.length - 1]!,
  };
}

function handshake(ws: FakeWs, userSeq = 3) {
  ws.open();
  ws.frame({ type: 'welcome', user_id: 17, user_seq: userSeq });
  ws.frame({ type: 'ready' });
}

describe('the realtime connection', () => {
  it('resumes from the positions held right after welcome, and is live after ready', () => {
    const h = harness();
    h.s.start();
    expect(h.states).toEqual(['connecting']);
    const ws = h.last();
    ws.open();
    ws.frame({ type: 'welcome', user_id: 17, user_seq: 3 });
    expect(ws.sent).toEqual([{ type: 'resume', user_seq: 3, chats: [{ chat_id: 8, seq: 17 }] }]);
    expect(h.s.state).toBe('connecting');
    ws.frame({ type: 'ready' });
    expect(h.s.state).toBe('live');
    expect(h.frames.map((f) => f.type)).toEqual(['welcome', 'ready']);
  });

  it('reconnects with backoff after a drop and resumes from the newer positions', () => {
    const h = harness();
    h.s.start();
    handshake(h.last());
    h.setPositions(new Map([[8, 20], [2, 19]]));
    h.last().drop(1006);
    expect(h.s.state).toBe('offline');
    expect(h.timers.map((t) => t.ms)).toEqual([500]);
    h.timers[0]!.f();
    const ws2 = h.last();
    expect(h.sockets).toHaveLength(2);
    ws2.open();
    ws2.frame({ type: 'welcome', user_id: 17, user_seq: 4 });
    expect(ws2.sent[0]).toEqual({ type: 'resume', user_seq: 4, chats: [{ chat_id: 2, seq: 19 }, { chat_id: 8, seq: 20 }] });
    // Failing again waits longer; success resets the delay.
    ws2.drop(1006);
    h.timers[1]!.f();
    h.last().drop(1006);
    expect(h.timers.map((t) => t.ms)).toEqual([500, 1000, 2000]);
    h.timers[2]!.f();
    handshake(h.last());
    h.last().drop(4008); // slow consumer: just reconnect
    expect(h.timers[3]!.ms).toBe(500);
  });

  it('ends the session on 4003 and 4001 without reconnecting', () => {
    for (const code of [4003, 4001]) {
      const h = harness();
      h.s.start();
      handshake(h.last());
      h.last().drop(code);
      expect(h.log).toEqual(['session-ended']);
      expect(h.s.state).toBe('closed');
      expect(h.timers).toEqual([]);
    }
  });

  it('on 4009 drops the positions and reconnects', () => {
    const h = harness();
    h.s.start();
    handshake(h.last());
    h.last().drop(4009);
    expect(h.log).toEqual(['resync-all']);
    expect(h.timers).toHaveLength(1);
  });

  it('going offline closes the socket at once; coming online reconnects without waiting', () => {
    let online = true;
    const h = harness({ online: () => online });
    h.s.start();
    handshake(h.last());
    const first = h.last();
    online = false;
    h.s.wentOffline();
    expect(first.closed).not.toBeNull();
    expect(h.s.state).toBe('offline');
    // A late close of the old socket is not a second drop.
    first.onclose?.({ code: 1006 });
    expect(h.timers).toEqual([]);
    online = true;
    h.s.cameOnline();
    expect(h.sockets).toHaveLength(2);
    handshake(h.last());
    expect(h.s.state).toBe('live');
  });

  it('does not dial while the browser is offline', () => {
    const h = harness({ online: () => false });
    h.s.start();
    expect(h.sockets).toHaveLength(0);
    expect(h.s.state).toBe('offline');
  });

  it('sends typing only while live; stop closes for good', () => {
    const h = harness();
    h.s.start();
    const ws = h.last();
    ws.open();
    expect(h.s.send({ type: 'typing', chat_id: 8 })).toBe(false);
    ws.frame({ type: 'welcome', user_id: 17, user_seq: 3 });
    ws.frame({ type: 'ready' });
    expect(h.s.send({ type: 'typing', chat_id: 8 })).toBe(true);
    expect(ws.sent[1]).toEqual({ type: 'typing', chat_id: 8 });
    h.s.stop();
    expect(ws.closed).toBe(1000);
    expect(h.s.state).toBe('closed');
    expect(h.timers).toEqual([]);
  });

  it('ignores frames that are not JSON', () => {
    const h = harness();
    h.s.start();
    h.last().open();
    h.last().onmessage?.({ data: '<html>' });
    expect(h.frames).toEqual([]);
  });

  it('uses wss on https pages', () => {
    expect(socketUrl({ protocol: 'https:', host: 'parta.school' })).toBe('wss://parta.school/api/v1/ws');
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/ws');
  });
});
