import { describe, expect, it } from 'vitest';
import { matchRoute, queryParam } from '../src/router';

describe('matchRoute', () => {
  it('matches an invite link and gives the token', () => {
    expect(matchRoute('/join/:token', '/join/Ab3_x-9')).toEqual({ token: 'Ab3_x-9' });
  });
  it('ignores a trailing slash, query and hash', () => {
    expect(matchRoute('/join/:token', '/join/abc/?utm=1#x')).toEqual({ token: 'abc' });
  });
  it('decodes the token', () => {
    expect(matchRoute('/join/:token', '/join/a%20b')).toEqual({ token: 'a b' });
  });
  it('rejects a missing token or extra segments', () => {
    expect(matchRoute('/join/:token', '/join')).toBeNull();
    expect(matchRoute('/join/:token', '/join/')).toBeNull();
    expect(matchRoute('/join/:token', '/join/abc/more')).toBeNull();
    expect(matchRoute('/join/:token', '/joins/abc')).toBeNull();
  });
  it('rejects a malformed escape instead of throwing', () => {
    expect(matchRoute('/join/:token', '/join/%E0%A4%A')).toBeNull();
  });
  it('supports an optional last parameter', () => {
    expect(matchRoute('/school/:org/:tab?', '/school/1')).toEqual({ org: '1' });
    expect(matchRoute('/school/:org/:tab?', '/school/1/invites')).toEqual({ org: '1', tab: 'invites' });
  });
  it('matches the root only for the root', () => {
    expect(matchRoute('/', '/')).toEqual({});
    expect(matchRoute('/', '/profile')).toBeNull();
  });
  it('reads query parameters', () => {
    expect(queryParam('?next=%2Fjoin%2Fabc', 'next')).toBe('/join/abc');
  });
});
