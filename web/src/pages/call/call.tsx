// The call page (/calls/:callId), a chunk of its own: the check before joining (camera
// preview, the microphone's level, which camera and microphone, «с камерой» or «только
// звук»), then the call — tiles in a grid or the speaker large with a strip, the
// controls (microphone, camera, screen, devices, leave), the connection's quality, the
// people in the call and, for the host, muting, stopping cameras, removing and ending
// it for everyone; the chat beside the call (chat-panel.tsx); and the words for every
// refusal and every way out of a call.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CallMediaKind } from '../../api/types';
import { ApiError } from '../../api/client';
import { ConfirmButton, ErrorBox, InlineError, Loading, PageTitle, useAction, useId, useLoad } from '../../components/ui';
import { chatBadge, gridColumns, gridTiles, initialsOf, isViewer, leftKey, lessonCountdown, peopleCount, raisedHands, refusalKey, speakerTiles, wantedViews, type CallInfo, type Tile } from '../../calls/model';
import { chatCalls } from '../../calls/live';
import { entries } from '../../chat/store';
import { clock, dateTime, shortName, fullName } from '../../format';
import { t, tn, type Key } from './call.strings';
import { CHAT_PANEL_ID, ChatPanel } from './chat-panel';
import { api, me } from '../../state';
import { CallSession } from './session';
import './call.css';

function loadCall(callId: number): Promise<CallInfo> {
  return api.get('/api/v1/calls/{call_id}', { call_id: callId });
}

const endCall = (callId: number) => api.post('/api/v1/calls/{call_id}/end', { call_id: callId });
const removeFromCall = (callId: number, userId: number) => api.post('/api/v1/calls/{call_id}/remove', { call_id: callId }, { user_id: userId });
const muteInCall = (callId: number, userId: number | null, kind: CallMediaKind) => api.post('/api/v1/calls/{call_id}/mute', { call_id: callId }, { user_id: userId, kind });
const lockCall = (callId: number, locked: boolean) => api.post('/api/v1/calls/{call_id}/lock', { call_id: callId }, { locked });
const admitToCall = (callId: number, userId: number) => api.post('/api/v1/calls/{call_id}/admit', { call_id: callId }, { user_id: userId });
const handLead = (callId: number, userId: number) => api.post('/api/v1/calls/{call_id}/host', { call_id: callId }, { user_id: userId });
const setStage = (callId: number, userId: number, on: boolean) => api.post('/api/v1/calls/{call_id}/stage', { call_id: callId }, { user_id: userId, on });

/** The page's heading: a meeting's title, an online lesson, or the chat's call. */
function headingOf(call: CallInfo, chat: string): string {
  if (call.title) return call.title;
  if (call.kind === 'lesson') return chat ? t('calls.lesson_in', { chat }) : t('calls.lesson');
  return chat ? t('calls.title_in', { chat }) : t('calls.title');
}

export function CallPage({ callId }: { callId: number }) {
  const info = useLoad(() => loadCall(callId), [callId]);
  const session = useMemo(() => new CallSession(callId), [callId]);
  useEffect(() => {
    const bye = () => session.leave();
    window.addEventListener('pagehide', bye);
    return () => {
      window.removeEventListener('pagehide', bye);
      session.close();
    };
  }, [session]);

  const call = info.data;
  // The lead handed on (to or from this reader): what they may do is asked again.
  const hostNow = session.view.value.hostId;
  useEffect(() => {
    if (call && hostNow !== null && hostNow !== call.host_id) info.reload();
  }, [hostNow]);
  // Each read of the call brings the relay's credential the next connection is built with.
  useEffect(() => {
    if (call) session.setIce(call);
  }, [call, session]);
  if (call) {
    session.setViewer(call.kind === 'broadcast' && !call.abilities.host);
    session.setChat(call.chat_id);
  }
  if (info.error) {
    const gone = info.error instanceof ApiError && (info.error.status === 404 || info.error.status === 403);
    return (
      <div class="narrow call-page">
        <PageTitle>{t('calls.title')}</PageTitle>
        {gone ? <p class="alert alert--info">{t(info.error instanceof ApiError && info.error.status === 403 ? 'calls.refused.forbidden' : 'calls.refused.not_found')}</p> : <ErrorBox error={info.error} onRetry={info.reload} />}
        <p>
          <a href="/chats">← {t('chats.back')}</a>
        </p>
      </div>
    );
  }
  if (!call) return <Loading />;
  const chatTitle = entries.value.get(call.chat_id)?.chat.title ?? '';
  const title = headingOf(call, chatTitle);
  const back = `/chats/${call.chat_id}`;
  const phase = session.phase.value;

  if (call.ended_at && phase === 'prejoin') return <Ended title={title} back={back} reason="ended" />;
  if (!call.abilities.join && phase === 'prejoin') return <Ended title={title} back={back} refusal="forbidden" />;
  if (phase === 'left') return <Ended title={title} back={back} reason={session.leftReason.value ?? 'left'} onRejoin={session.leftReason.value === 'lost' ? () => location.reload() : undefined} />;
  if (phase === 'refused') return <Ended title={title} back={back} refusal={session.refusal.value?.code ?? 'other'} />;
  if (phase === 'prejoin') return <PreJoin session={session} call={call} title={title} back={back} />;
  if (phase === 'waiting') return <Waiting session={session} call={call} title={title} back={back} />;
  return <InCall session={session} call={call} title={title} back={back} />;
}

function Ended({ title, back, reason, refusal, onRejoin }: { title: string; back: string; reason?: string; refusal?: string; onRejoin?: () => void }) {
  return (
    <div class="narrow call-page">
      <PageTitle>{title || t('calls.title')}</PageTitle>
      <p class={`alert ${refusal || reason === 'removed' ? 'alert--error' : 'alert--info'} call-out`} role="status" data-left={reason} data-refused={refusal}>
        {refusal ? t(refusalKey(refusal)) : t(leftKey(reason ?? 'left'))}
      </p>
      <p class="call-out-actions">
        {onRejoin ? (
          <button type="button" class="btn btn--primary" onClick={onRejoin}>
            {t('calls.rejoin')}
          </button>
        ) : null}
        <a class="btn btn--secondary" href={back}>
          {t('calls.to_chat')}
        </a>
      </p>
    </div>
  );
}

/** A <video> showing a stream (muted: the sound plays from its own element). */
function StreamVideo({ stream, mirror, label }: { stream: MediaStream; mirror?: boolean; label?: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    if (v.srcObject !== stream) v.srcObject = stream;
    void v.play().catch(() => {});
  }, [stream]);
  return <video ref={ref} class={`call-video${mirror ? ' call-video--mirror' : ''}`} autoplay playsInline muted aria-label={label} />;
}

/** The sound of one remote device. */
function StreamAudio({ stream, peer }: { stream: MediaStream; peer: number }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const a = ref.current;
    if (!a) return;
    if (a.srcObject !== stream) a.srcObject = stream;
    void a.play().catch(() => {});
  }, [stream]);
  return <audio ref={ref} autoplay data-peer-id={peer} />;
}

function DeviceSelects({ session }: { session: CallSession }) {
  const micId = useId('mic');
  const camId = useId('cam');
  const d = session.devices.value;
  return (
    <div class="call-devices">
      <div class="field">
        <label for={micId}>{t('calls.mic_device')}</label>
        <select id={micId} value={session.micId.value} disabled={!d.mics.length} onChange={(e) => void session.chooseMic((e.currentTarget as HTMLSelectElement).value)}>
          {d.mics.length ? null : <option value="">{t('calls.no_device')}</option>}
          {d.mics.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={camId}>{t('calls.cam_device')}</label>
        <select id={camId} value={session.camId.value} disabled={!d.cams.length} onChange={(e) => void session.chooseCam((e.currentTarget as HTMLSelectElement).value)}>
          {d.cams.length ? null : <option value="">{t('calls.no_device')}</option>}
          {d.cams.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

function MicLevel({ session }: { session: CallSession }) {
  const id = useId('level');
  const level = session.level.value;
  return (
    <div class="call-level">
      <label for={id}>{t('calls.mic_level')}</label>
      <meter id={id} min={0} max={1} low={0.15} high={0.9} optimum={0.5} value={level} />
    </div>
  );
}

function PreJoin({ session, call, title, back }: { session: CallSession; call: CallInfo; title: string; back: string }) {
  const [joining, setJoining] = useState(false);
  const viewer = session.viewer.value;
  useEffect(() => {
    // A broadcast's viewer is asked for no camera or microphone.
    if (!session.viewer.peek()) void session.openDevices();
  }, [session]);
  const preview = session.preview.value;
  const problem = session.mediaProblem.value;
  const hasCam = session.devices.value.cams.length > 0 || !!preview;
  const join = async (withCamera: boolean) => {
    setJoining(true);
    try {
      if (withCamera && !session.camOn.value) await session.setCam(true);
      await session.join(withCamera);
    } finally {
      setJoining(false);
    }
  };
  const inCall = call.participants;
  return (
    <div class="call-page call-prejoin">
      <p>
        <a class="call-back" href={back}>
          ← {t('calls.to_chat')}
        </a>
      </p>
      <PageTitle>{title}</PageTitle>
      {viewer ? (
        <div class="prejoin-viewer">
          <p>{t('calls.viewer_intro')}</p>
          <button type="button" class="btn btn--primary" disabled={joining} onClick={() => void join(false)}>
            {t('calls.watch')}
          </button>
        </div>
      ) : (
      <div class="prejoin-grid">
        <div class="prejoin-preview">
          {preview ? <StreamVideo stream={preview} mirror label={t('calls.your_camera')} /> : <div class="call-novideo">{t('calls.camera_off')}</div>}
        </div>
        <div class="prejoin-side">
          {problem ? <p class="alert alert--info">{t(`calls.media.${problem}` as Key)}</p> : null}
          <p class="muted">
            {inCall.length ? t('calls.already_in', { names: [...new Map(inCall.map((p) => [p.person.id, shortName(p.person)])).values()].join(', ') }) : t('calls.nobody_yet')}
          </p>
          <MicLevel session={session} />
          <DeviceSelects session={session} />
          <div class="prejoin-switches">
            <Toggle on={session.micOn.value} onLabel={t('calls.mic_on')} offLabel={t('calls.mic_off')} onClick={() => void session.setMic(!session.micOn.value)} icon="mic" />
            <Toggle on={session.camOn.value} onLabel={t('calls.cam_on')} offLabel={t('calls.cam_off')} onClick={() => void session.setCam(!session.camOn.value)} icon="cam" />
          </div>
          <div class="prejoin-actions">
            <button type="button" class="btn btn--primary" disabled={joining || !hasCam} onClick={() => void join(true)}>
              {t('calls.join_video')}
            </button>
            <button type="button" class="btn btn--secondary" disabled={joining} onClick={() => void join(false)}>
              {t('calls.join_audio')}
            </button>
          </div>
        </div>
      </div>
      )}
    </div>
  );
}

/** Waiting to be let in: before a meeting opens, or in its waiting room. */
function Waiting({ session, call, title, back }: { session: CallSession; call: CallInfo; title: string; back: string }) {
  // Not open yet: its time ahead, or past and the host not come yet; open: the waiting room.
  const closed = !session.opened.value && !call.started_at;
  const early = closed && !!call.scheduled_at && Date.parse(call.scheduled_at) > Date.now();
  const broadcast = call.kind === 'broadcast';
  const when = call.scheduled_at ? (new Date(call.scheduled_at).toDateString() === new Date().toDateString() ? clock(call.scheduled_at) : dateTime(call.scheduled_at)) : '';
  return (
    <div class="narrow call-page call-waiting" data-phase="waiting" data-call-id={call.id}>
      <PageTitle>{title}</PageTitle>
      <p class="alert alert--info call-waiting-text" role="status">
        {early
          ? t(broadcast ? 'calls.broadcast_not_yet' : 'calls.meeting_not_yet', { time: when })
          : closed
            ? t(broadcast ? 'calls.broadcast_not_open' : 'calls.meeting_not_open')
            : t('calls.wait_for_host')}
      </p>
      <p class="muted">{t('calls.wait_hint')}</p>
      <p class="call-out-actions">
        <button type="button" class="btn btn--secondary" onClick={() => session.leave()}>
          {t('calls.stop_waiting')}
        </button>
        <a class="btn btn--link" href={back}>
          {t('calls.to_chat')}
        </a>
      </p>
    </div>
  );
}

/** An online lesson's time left to its grade's limit, and the warning past it. */
function LessonTimer({ call, chat }: { call: CallInfo; chat: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const c = lessonCountdown(call.started_at, call.limit_minutes, now);
  if (!c) return null;
  const grade = /(\d{1,2})\s*[А-ЯЁA-Z]?/.exec(chat)?.[1];
  return (
    <>
      <span class={`call-timer${c.over ? ' call-timer--over' : ''}`} data-over={c.over ? 'yes' : 'no'}>
        <span class="visually-hidden">{t('calls.time_left')}: </span>
        <Icon name="clock" />
        {c.text}
      </span>
      {c.over ? (
        <p class="alert alert--error call-limit" role="alert">
          {grade ? t('calls.limit_over', { grade, n: call.limit_minutes ?? 0 }) : t('calls.limit_over_any', { n: call.limit_minutes ?? 0 })}
        </p>
      ) : null}
    </>
  );
}

function Icon({ name, off }: { name: 'mic' | 'cam' | 'screen' | 'leave' | 'devices' | 'hand' | 'clock' | 'chat'; off?: boolean }) {
  const common = { width: 20, height: 20, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round' as const, 'stroke-linejoin': 'round' as const, 'aria-hidden': 'true' as const, focusable: 'false' as const, class: 'icon' };
  return (
    <svg {...common}>
      {name === 'mic' ? (
        <>
          <rect x="9" y="3" width="6" height="11" rx="3" />
          <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
        </>
      ) : name === 'cam' ? (
        <>
          <rect x="3" y="6" width="13" height="12" rx="2" />
          <path d="M16 10l5-3v10l-5-3z" />
        </>
      ) : name === 'devices' ? (
        <>
          <circle cx="12" cy="12" r="3" />
          <path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1" />
        </>
      ) : name === 'hand' ? (
        <path d="M8 13V6a1.5 1.5 0 0 1 3 0v5M11 11V4.5a1.5 1.5 0 0 1 3 0V11M14 11V6a1.5 1.5 0 0 1 3 0v8a6 6 0 0 1-6 6h-.5a6 6 0 0 1-4.8-2.4L3.3 14.4a1.5 1.5 0 0 1 2.3-1.9L8 15" />
      ) : name === 'clock' ? (
        <>
          <circle cx="12" cy="12" r="9" />
          <path d="M12 7v5l3 2" />
        </>
      ) : name === 'chat' ? (
        <path d="M4 5h16v11H9l-5 4z" />
      ) : name === 'screen' ? (
        <>
          <rect x="3" y="4" width="18" height="12" rx="2" />
          <path d="M8 20h8M12 16v4" />
        </>
      ) : (
        <path d="M3 15c5-5 13-5 18 0l-2 3-4-1v-3a9 9 0 0 0-6 0v3l-4 1z" />
      )}
      {off ? <path d="M4 4l16 16" /> : null}
    </svg>
  );
}

function Toggle({ on, onLabel, offLabel, onClick, icon, disabled }: { on: boolean; onLabel: string; offLabel: string; onClick: () => void; icon: 'mic' | 'cam'; disabled?: boolean }) {
  // The label says what the button does now; pressed = the device is on.
  return (
    <button type="button" class={`btn call-toggle${on ? '' : ' call-toggle--off'}`} aria-pressed={on} onClick={onClick} disabled={disabled} data-toggle={icon}>
      <Icon name={icon} off={!on} />
      <span class="call-btn-text">{on ? onLabel : offLabel}</span>
    </button>
  );
}

const QUALITY_KEY = { good: 'calls.quality.good', fair: 'calls.quality.fair', poor: 'calls.quality.poor', unknown: 'calls.quality.unknown' } as const;

function QualitySign({ session }: { session: CallSession }) {
  const q = session.quality.value;
  const bars = q.quality === 'good' ? 3 : q.quality === 'fair' ? 2 : q.quality === 'poor' ? 1 : 0;
  const detail = [q.rttMs !== null ? t('calls.quality.rtt', { ms: q.rttMs }) : '', q.lossPct !== null ? t('calls.quality.loss', { pct: q.lossPct }) : ''].filter(Boolean).join(', ');
  return (
    <span class={`call-quality call-quality--${q.quality}`} data-quality={q.quality} title={detail || undefined}>
      <span class="call-bars" aria-hidden="true">
        {[1, 2, 3].map((i) => (
          <span key={i} class={i <= bars ? 'on' : ''} />
        ))}
      </span>
      <span>{t(QUALITY_KEY[q.quality])}</span>
      {detail ? <span class="visually-hidden"> ({detail})</span> : null}
    </span>
  );
}

function TileView({ tile, session, call, big, pinnable }: { tile: Tile; session: CallSession; call: CallInfo; big?: boolean; pinnable?: boolean }) {
  void session.tracksTick.value;
  const stream = tile.mine ? session.preview.value : session.streams.value[tile.peer];
  const hasVideo = tile.mine ? !!stream : tile.video && !!stream && stream.getVideoTracks().some((x) => x.readyState === 'live');
  const name = shortName(tile.person);
  return (
    <li
      class={`call-tile${big ? ' call-tile--big' : ''}${tile.speaking ? ' call-tile--speaking' : ''}`}
      data-peer-id={tile.peer}
      data-user-id={tile.person.id}
      data-video={hasVideo ? 'on' : 'off'}
      data-audio={tile.audio ? 'on' : 'off'}
      data-mine={tile.mine ? 'yes' : undefined}
    >
      {hasVideo && stream ? (
        <StreamVideo stream={stream} mirror={tile.mine && !session.sharing.value} label={t('calls.video_of', { name })} />
      ) : (
        <div class="call-initials" aria-hidden="true">
          {initialsOf(tile.person)}
        </div>
      )}
      <div class="call-tile-name">
        {tile.audio ? null : (
          <span class="call-muted-icon">
            <Icon name="mic" off />
            <span class="visually-hidden">{t('calls.mic_is_off')}</span>
          </span>
        )}
        <span>
          {tile.mine ? t('calls.you', { name }) : name}
          {tile.person.id === call.host_id ? <span class="call-host-mark"> · {t('calls.host')}</span> : null}
        </span>
        {tile.speaking ? <span class="visually-hidden">, {t('calls.speaking')}</span> : null}
        {tile.hand ? (
          <span class="call-hand" title={t('calls.hand_up')}>
            <Icon name="hand" />
            <span class="visually-hidden">, {t('calls.hand_up')}</span>
          </span>
        ) : null}
      </div>
      {pinnable ? (
        <button type="button" class="btn btn--small call-pin" onClick={() => session.pin(tile.peer)}>
          {t('calls.pin')}
          <span class="visually-hidden">: {name}</span>
        </button>
      ) : big && session.view.value.pinned === tile.peer ? (
        <button type="button" class="btn btn--small call-pin" onClick={() => session.pin(null)}>
          {t('calls.unpin')}
        </button>
      ) : null}
    </li>
  );
}

function InCall({ session, call, title, back }: { session: CallSession; call: CallInfo; title: string; back: string }) {
  const [layout, setLayout] = useState<'grid' | 'speaker'>('grid');
  const [narrow, setNarrow] = useState(() => typeof matchMedia !== 'undefined' && matchMedia('(max-width: 640px)').matches);
  const [showDevices, setShowDevices] = useState(false);
  const [chatOpen, setChatOpen] = useState(false);
  const chatToggle = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (typeof matchMedia === 'undefined') return;
    const mq = matchMedia('(max-width: 640px)');
    const f = () => setNarrow(mq.matches);
    mq.addEventListener('change', f);
    return () => mq.removeEventListener('change', f);
  }, []);
  const phase = session.phase.value;
  const view = session.view.value;
  const streams = session.streams.value;
  const host = call.abilities.host;
  const viewer = isViewer(call, host, session.onStage.value);
  const chatEntry = entries.value.get(call.chat_id);
  const chatTitle = chatEntry?.chat.title ?? '';
  const unread = chatEntry?.chat.unread ?? 0;
  const badge = chatBadge(unread, chatOpen);
  // Closed from the panel: back to the toggle, once what the phone's panel covered is in reach again.
  const refocus = useRef(false);
  const closeChat = () => {
    refocus.current = true;
    setChatOpen(false);
  };
  useEffect(() => {
    if (chatOpen || !refocus.current) return;
    refocus.current = false;
    chatToggle.current?.focus();
  }, [chatOpen]);
  const people = peopleCount(view.participants.filter((p) => p.on_stage));
  const muted = session.hostMuted.value;
  const tiles = gridTiles(view);
  const sp = speakerTiles(view);

  // The unit sends each other device's video in the layer its tile here needs.
  useEffect(() => session.setViews(wantedViews(view, layout, narrow)), [view, layout, narrow]);

  // Keeps the chat's banner in step with the people seen here.
  useEffect(() => {
    const cur = chatCalls.peek()[call.chat_id];
    if (cur && cur.id === call.id) chatCalls.value = { ...chatCalls.peek(), [call.chat_id]: { ...cur, participants: view.participants } };
  }, [view.participants]);

  return (
    <div
      class={`call-page call-in call-in--${layout}${chatOpen ? ' call-in--chat' : ''}`}
      data-phase={phase}
      data-call-id={call.id}
      data-me={view.me ?? undefined}
      data-viewer={viewer ? 'yes' : undefined}
    >
      {/* On a phone the open chat covers the call: what it covers is out of reach meanwhile. */}
      <div class="call-body" inert={narrow && chatOpen}>
        <div class="call-head">
          <a class="call-back" href={back}>
            ← {t('calls.to_chat')}
          </a>
          <PageTitle>{title}</PageTitle>
          <span class="muted">{tn('calls.people', people)}</span>
          {call.kind === 'broadcast' ? (
            <span class="muted call-viewers" data-viewers={view.viewers}>
              {tn('calls.viewers', view.viewers)}
            </span>
          ) : null}
          {view.locked ? <span class="badge badge--neutral call-locked">{t('calls.locked')}</span> : null}
          {call.kind === 'lesson' ? <LessonTimer call={call} chat={chatTitle} /> : null}
          <QualitySign session={session} />
        </div>
        <div class="call-notices" role="status" aria-live="polite">
          {phase === 'joining' ? <p class="alert alert--info">{t('calls.joining')}</p> : null}
          {phase === 'reconnecting' ? <p class="alert alert--info call-reconnecting">{t('calls.reconnecting')}</p> : null}
          {viewer ? <p class="alert alert--info call-viewer-note">{t('calls.viewer_note')}</p> : null}
          {call.kind === 'broadcast' && !host && session.onStage.value ? <p class="alert alert--info call-on-stage">{t('calls.on_stage_note')}</p> : null}
          {muted ? (
            <p class="alert alert--info call-host-muted" data-kind={muted}>
              {t(muted === 'audio' ? 'calls.host_muted_mic' : 'calls.host_muted_cam')}
            </p>
          ) : null}
        </div>
        <div class="call-layout-switch" role="group" aria-label={t('calls.layout')}>
          <button type="button" class="btn btn--small btn--secondary" aria-pressed={layout === 'grid'} onClick={() => setLayout('grid')}>
            {t('calls.layout_grid')}
          </button>
          <button type="button" class="btn btn--small btn--secondary" aria-pressed={layout === 'speaker'} onClick={() => setLayout('speaker')}>
            {t('calls.layout_speaker')}
          </button>
        </div>
        <section class="call-stage" aria-label={t('calls.stage')}>
          {layout === 'grid' ? (
            <ul class="call-grid" style={{ gridTemplateColumns: `repeat(${gridColumns(tiles.length, narrow)}, minmax(0, 1fr))` }}>
              {tiles.map((x) => (
                <TileView key={x.peer} tile={x} session={session} call={call} />
              ))}
            </ul>
          ) : (
            <div class="call-speaker">
              <ul class="call-main">{sp.main ? <TileView key={sp.main.peer} tile={sp.main} session={session} call={call} big /> : null}</ul>
              {sp.strip.length ? (
                <ul class="call-strip">
                  {sp.strip.map((x) => (
                    <TileView key={x.peer} tile={x} session={session} call={call} pinnable />
                  ))}
                </ul>
              ) : null}
            </div>
          )}
        </section>
        <div class="call-sound" aria-hidden="true">
          {Object.entries(streams).map(([peer, s]) => (Number(peer) === view.me ? null : <StreamAudio key={peer} stream={s} peer={Number(peer)} />))}
        </div>
        <div class="call-controls" role="group" aria-label={t('calls.controls')}>
          {viewer ? null : (
            <>
          <Toggle on={session.micOn.value} onLabel={t('calls.mic_on')} offLabel={t('calls.mic_off')} onClick={() => void session.setMic(!session.micOn.value)} icon="mic" />
          <Toggle on={session.camOn.value} onLabel={t('calls.cam_on')} offLabel={t('calls.cam_off')} onClick={() => void session.setCam(!session.camOn.value)} icon="cam" />
            </>
          )}
          {session.canShareScreen && !viewer ? (
            <button type="button" class="btn call-toggle" aria-pressed={session.sharing.value} data-toggle="screen" onClick={() => void (session.sharing.value ? session.stopSharing() : session.shareScreen())}>
              <Icon name="screen" />
              <span class="call-btn-text">{session.sharing.value ? t('calls.screen_stop') : t('calls.screen_share')}</span>
            </button>
          ) : null}
          {viewer ? null : (
            <button type="button" class="btn call-toggle" aria-expanded={showDevices} aria-controls="call-devices" onClick={() => setShowDevices(!showDevices)}>
              <Icon name="devices" />
              <span class="call-btn-text">{t('calls.devices')}</span>
            </button>
          )}
          {chatEntry ? (
            <button
              type="button"
              ref={chatToggle}
              class="btn call-toggle call-chat-toggle"
              aria-expanded={chatOpen}
              aria-controls={CHAT_PANEL_ID}
              onClick={() => (chatOpen ? closeChat() : setChatOpen(true))}
            >
              <Icon name="chat" />
              <span class="call-btn-text">{t('calls.chat')}</span>
              {badge ? (
                <span class="call-chat-badge" data-unread={unread}>
                  <span aria-hidden="true">{badge}</span>
                  <span class="visually-hidden">, {tn('calls.chat_unread', unread)}</span>
                </span>
              ) : null}
            </button>
          ) : null}
          <button type="button" class="btn call-toggle call-hand-toggle" aria-pressed={session.hand.value} onClick={() => session.raiseHand(!session.hand.value)}>
            <Icon name="hand" />
            <span class="call-btn-text">{session.hand.value ? t('calls.hand_lower') : t('calls.hand_raise')}</span>
          </button>
          <button type="button" class="btn btn--danger call-leave" onClick={() => session.leave()}>
            <Icon name="leave" />
            <span class="call-btn-text">{t('calls.leave')}</span>
          </button>
        </div>
        {showDevices && !viewer ? (
          <div id="call-devices" class="call-devices-panel">
            <DeviceSelects session={session} />
          </div>
        ) : null}
        <People call={call} session={session} host={host} />
      </div>
      {chatEntry ? <ChatPanel chatId={call.chat_id} open={chatOpen} narrow={narrow} onClose={closeChat} /> : null}
    </div>
  );
}

function People({ call, session, host }: { call: CallInfo; session: CallSession; host: boolean }) {
  const act = useAction();
  const myId = me.value?.id ?? 0;
  const v = session.view.value;
  const view = v.participants;
  const hostId = v.hostId ?? call.host_id;
  const broadcast = call.kind === 'broadcast';
  // One row per person (a person may be in on two devices).
  const persons = [...new Map(view.map((p) => [p.person.id, p])).values()];
  const audioOf = (id: number) => view.some((p) => p.person.id === id && p.audio);
  const videoOf = (id: number) => view.some((p) => p.person.id === id && p.video);
  const handOf = (id: number) => view.some((p) => p.person.id === id && p.hand_raised);
  const stageOf = (id: number) => view.some((p) => p.person.id === id && p.on_stage);
  const hands = raisedHands(v);
  const run = (f: () => Promise<unknown>) => act.run(async () => void (await f()));
  return (
    <section class="call-people" aria-labelledby="call-people-title">
      <h2 id="call-people-title" class="call-people-title">
        {t('calls.in_call')} ({persons.length})
      </h2>
      {host ? (
        <div class="call-host-tools">
          <button type="button" class="btn btn--secondary btn--small" disabled={act.busy} onClick={() => run(() => muteInCall(call.id, null, 'audio'))}>
            {t('calls.mute_all')}
          </button>
          <button type="button" class="btn btn--secondary btn--small call-lock" aria-pressed={v.locked} disabled={act.busy} onClick={() => run(() => lockCall(call.id, !v.locked))}>
            {v.locked ? t('calls.unlock') : t('calls.lock')}
          </button>
          <ConfirmButton confirm={t('calls.end_confirm')} onConfirm={() => run(() => endCall(call.id))}>
            {t('calls.end_all')}
          </ConfirmButton>
        </div>
      ) : null}
      <InlineError error={act.error} />
      {host && v.waiting.length ? (
        <div class="call-waiting-room" role="region" aria-labelledby="call-waiting-title">
          <h3 id="call-waiting-title">{t('calls.waiting_room', { n: v.waiting.length })}</h3>
          <ul class="call-people-list">
            {v.waiting.map((w) => (
              <li key={w.id} data-user-id={w.id}>
                <span class="call-person">{fullName(w)}</span>
                <button type="button" class="btn btn--primary btn--small" disabled={act.busy} onClick={() => run(() => admitToCall(call.id, w.id))}>
                  {t('calls.admit')}
                  <span class="visually-hidden"> — {shortName(w)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {hands.length ? (
        <p class="call-hands" role="status">
          <Icon name="hand" />
          {t('calls.hands', { names: hands.map(shortName).join(', ') })}
        </p>
      ) : null}
      <ul class="call-people-list">
        {persons.map((p) => (
          <li key={p.person.id} data-user-id={p.person.id} data-hand={handOf(p.person.id) ? 'up' : undefined}>
            <span class="call-person">
              {fullName(p.person)}
              {p.person.id === hostId ? <span class="badge badge--neutral">{t('calls.host')}</span> : null}
              {p.person.id === myId ? <span class="muted"> ({t('calls.you_short')})</span> : null}
              {handOf(p.person.id) ? (
                <span class="call-hand">
                  <Icon name="hand" />
                  <span class="visually-hidden">{t('calls.hand_up')}</span>
                </span>
              ) : null}
              {broadcast && !stageOf(p.person.id) ? <span class="muted"> · {t('calls.viewer')}</span> : null}
              {stageOf(p.person.id) && !audioOf(p.person.id) ? <span class="muted"> · {t('calls.mic_is_off')}</span> : null}
            </span>
            {host && p.person.id !== myId ? (
              <span class="call-person-actions" role="group" aria-label={t('calls.actions_for', { name: shortName(p.person) })}>
                {broadcast && !stageOf(p.person.id) ? (
                  <button type="button" class="btn btn--link" disabled={act.busy} onClick={() => run(() => setStage(call.id, p.person.id, true))}>
                    {t('calls.to_stage')}
                    <span class="visually-hidden"> — {shortName(p.person)}</span>
                  </button>
                ) : null}
                {broadcast && stageOf(p.person.id) && p.person.id !== hostId ? (
                  <button type="button" class="btn btn--link" disabled={act.busy} onClick={() => run(() => setStage(call.id, p.person.id, false))}>
                    {t('calls.off_stage')}
                    <span class="visually-hidden"> — {shortName(p.person)}</span>
                  </button>
                ) : null}
                {audioOf(p.person.id) ? (
                  <button type="button" class="btn btn--link" disabled={act.busy} onClick={() => run(() => muteInCall(call.id, p.person.id, 'audio'))}>
                    {t('calls.mute_one')}
                    <span class="visually-hidden"> — {shortName(p.person)}</span>
                  </button>
                ) : null}
                {videoOf(p.person.id) ? (
                  <button type="button" class="btn btn--link" disabled={act.busy} onClick={() => run(() => muteInCall(call.id, p.person.id, 'video'))}>
                    {t('calls.stop_cam')}
                    <span class="visually-hidden"> — {shortName(p.person)}</span>
                  </button>
                ) : null}
                {p.person.id !== hostId && stageOf(p.person.id) ? (
                  <ConfirmButton kind="secondary" confirm={t('calls.make_host_confirm', { name: shortName(p.person) })} onConfirm={() => run(() => handLead(call.id, p.person.id))}>
                    {t('calls.make_host')}
                    <span class="visually-hidden"> — {shortName(p.person)}</span>
                  </ConfirmButton>
                ) : null}
                <ConfirmButton confirm={t('calls.remove_confirm', { name: shortName(p.person) })} onConfirm={() => run(() => removeFromCall(call.id, p.person.id))}>
                  {t('calls.remove')}
                  <span class="visually-hidden"> — {shortName(p.person)}</span>
                </ConfirmButton>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
