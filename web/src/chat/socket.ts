// The realtime connection: one WebSocket to /api/v1/ws, authenticated by the session
// cookie. After `welcome` it sends `resume` with the positions the page holds, so the
// server replays what was missed; `ready` means live. A drop reconnects with backoff;
// going offline closes the socket at once (browsers may keep a dead one open), coming
// back online reconnects without waiting. 4001/4003 end the session; 4009 asks for a
// full reload of the chat state.
import { backoff, parseFrame, type ClientFrame, type ServerFrame } from './model';

export type ConnState = 'connecting' | 'live' | 'offline' | 'closed';

export interface WebSocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SocketOptions {
  url: string;
  create?: (url: string) => WebSocketLike;
  /** Called with `welcome`'s user_seq; returns the resume frame to send. */
  resume: (welcome: Extract<ServerFrame, { type: 'welcome' }>) => ClientFrame;
  onFrame: (frame: ServerFrame) => void;
  onState: (state: ConnState) => void;
  /** The session is over (4001, 4003): the page goes back to sign-in. */
  onSessionEnded: () => void;
  /** The server cannot resume from the positions (4009): drop them and reload. */
  onResyncAll: () => void;
  setTimer?: (f: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  random?: () => number;
  isOnline?: () => boolean;
}

const OPEN = 1;

export class ChatSocket {
  private ws: WebSocketLike | null = null;
  private attempt = 0;
  private timer: unknown = null;
  private stopped = true;
  state: ConnState = 'closed';
  private readonly o: Required<Omit<SocketOptions, 'create'>> & { create: (url: string) => WebSocketLike };

  constructor(opts: SocketOptions) {
    this.o = {
      ...opts,
      create: opts.create ?? ((url) => new WebSocket(url) as unknown as WebSocketLike),
      setTimer: opts.setTimer ?? ((f, ms) => setTimeout(f, ms)),
      clearTimer: opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>)),
      random: opts.random ?? Math.random,
      isOnline: opts.isOnline ?? (() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false)),
    };
  }

  private set(state: ConnState): void {
    if (this.state === state) return;
    this.state = state;
    this.o.onState(state);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  /** Closes for good (logout). */
  stop(): void {
    this.stopped = true;
    this.clear();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      try {
        ws.close(1000, 'bye');
      } catch {
        /* ignore */
      }
    }
    this.set('closed');
  }

  /** The browser says the network is gone: do not trust the socket, wait for `online`. */
  wentOffline(): void {
    if (this.stopped) return;
    this.drop();
    this.clear();
    this.set('offline');
  }

  /** The network is back: reconnect now. */
  cameOnline(): void {
    if (this.stopped || this.ws) return;
    this.clear();
    this.attempt = 0;
    this.open();
  }

  send(frame: ClientFrame): boolean {
    if (!this.ws || this.ws.readyState !== OPEN || this.state !== 'live') return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  private clear(): void {
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
  }

  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
    try {
      ws.close(4000, 'offline');
    } catch {
      /* ignore */
    }
  }

  private open(): void {
    if (this.stopped) return;
    if (!this.o.isOnline()) {
      this.set('offline');
      return; // cameOnline() resumes
    }
    this.set(this.state === 'offline' ? 'offline' : 'connecting');
    let ws: WebSocketLike;
    try {
      ws = this.o.create(this.o.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => {
      if (this.ws !== ws || typeof ev.data !== 'string') return;
      const frame = parseFrame(ev.data);
      if (!frame) return;
      if (frame.type === 'welcome') {
        try {
          ws.send(JSON.stringify(this.o.resume(frame)));
        } catch {
          /* the close follows */
        }
      }
      if (frame.type === 'ready') {
        this.attempt = 0;
        this.set('live');
      }
      this.o.onFrame(frame);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (ev.code === 4001 || ev.code === 4003) {
        this.stopped = true;
        this.set('closed');
        this.o.onSessionEnded();
        return;
      }
      if (ev.code === 4009) this.o.onResyncAll();
      this.retry();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.set('offline');
    this.clear();
    const delay = backoff(this.attempt++, this.o.random());
    this.timer = this.o.setTimer(() => {
      this.timer = null;
      this.open();
    }, delay);
  }
}

/** ws:// or wss:// for the page's own origin. */
export function socketUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/v1/ws`;
}
