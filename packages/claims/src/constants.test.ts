import { describe, expect, it } from 'vitest';
import {
  AUTHORIZATION_DETAILS_TYPE,
  DATA_CLASSES,
  dataClassAtMost,
  dataClassRank,
  GRANT_TYPE_TOKEN_EXCHANGE,
  highestDataClass,
  isOAuthErrorCode,
  OAUTH_ERROR,
  TOKEN_TYPE,
  TOOL_SCOPE_PREFIX,
  WRIT_TYP,
} from './index.js';

describe('protocol constants', () => {
  it('match the RFC identifiers', () => {
    expect(GRANT_TYPE_TOKEN_EXCHANGE).toBe('urn:ietf:params:oauth:grant-type:token-exchange');
    expect(TOKEN_TYPE).toEqual({
      accessToken: 'urn:ietf:params:oauth:token-type:access_token',
      jwt: 'urn:ietf:params:oauth:token-type:jwt',
      idToken: 'urn:ietf:params:oauth:token-type:id_token',
    });
    expect(WRIT_TYP).toBe('at+jwt');
    expect(AUTHORIZATION_DETAILS_TYPE).toBe('agent_task');
    expect(TOOL_SCOPE_PREFIX).toBe('tool:');
  });

  it('maps every OAuth error key to the identical code', () => {
    expect(Object.keys(OAUTH_ERROR)).toEqual([
      'invalid_request',
      'invalid_client',
      'invalid_grant',
      'unauthorized_client',
      'unsupported_grant_type',
      'invalid_scope',
      'invalid_target',
      'invalid_authorization_details',
      'invalid_token',
      'insufficient_scope',
      'access_denied',
      'slow_down',
      'temporarily_unavailable',
      'server_error',
      'unsupported_token_type',
    ]);
    for (const [key, code] of Object.entries(OAUTH_ERROR)) expect(code).toBe(key);
  });

  it('recognises OAuth error codes only', () => {
    expect(isOAuthErrorCode('invalid_scope')).toBe(true);
    expect(isOAuthErrorCode('not_an_error')).toBe(false);
    expect(isOAuthErrorCode('toString')).toBe(false);
    expect(isOAuthErrorCode(42)).toBe(false);
  });
});

describe('data classes', () => {
  it('are ordered from public to restricted', () => {
    expect(DATA_CLASSES).toEqual(['public', 'internal', 'confidential', 'restricted']);
    expect(DATA_CLASSES.map(dataClassRank)).toEqual([0, 1, 2, 3]);
  });

  it('compare by rank', () => {
    expect(dataClassAtMost('public', 'public')).toBe(true);
    expect(dataClassAtMost('internal', 'confidential')).toBe(true);
    expect(dataClassAtMost('confidential', 'internal')).toBe(false);
    expect(dataClassAtMost('restricted', 'confidential')).toBe(false);
  });

  it('refuse an unknown class instead of ranking it lowest', () => {
    expect(() => dataClassRank('secret' as never)).toThrow(TypeError);
  });

  it('find the highest class', () => {
    expect(highestDataClass(['internal', 'restricted', 'public'])).toBe('restricted');
    expect(highestDataClass(['public'])).toBe('public');
    expect(highestDataClass([])).toBeUndefined();
  });
});
