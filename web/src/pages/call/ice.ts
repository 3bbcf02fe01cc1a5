// How this device's connection reaches the media unit. The server says it with the
// call the page reads before joining (the connection is built before the offer, so
// it must know then): a TURN relay with the person's own credential, and whether all
// media must go through it. The credential expires (12 hours), so a connection made
// long after it was read asks for a fresh one.
import type { Call, IceServer } from '../../api/types';

export type IceSettings = Pick<Call, 'ice_servers' | 'ice_transport_policy'>;

/** Older than this, the relay's credential is read again before connecting. */
export const ICE_FRESH_MS = 60 * 60 * 1000;

/** The configuration of a new RTCPeerConnection: one bundled transport, through the relay if told. */
export function rtcConfiguration(ice: IceSettings | null): RTCConfiguration {
  return {
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
    iceServers: (ice?.ice_servers ?? []).map(rtcIceServer),
    iceTransportPolicy: ice?.ice_transport_policy === 'relay' ? 'relay' : 'all',
  };
}

function rtcIceServer(s: IceServer): RTCIceServer {
  return { urls: s.urls, ...(s.username ? { username: s.username } : {}), ...(s.credential ? { credential: s.credential } : {}) };
}

/** Whether settings received at `at` are too old to connect with at `now`. */
export function iceStale(at: number | null, now: number): boolean {
  return at === null || now - at > ICE_FRESH_MS;
}
