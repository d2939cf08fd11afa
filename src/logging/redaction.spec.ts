import { isSecretKey, redact, REDACTED, redactText } from './redaction';

describe('redaction', () => {
  it('should mask the password of a connection string when it appears in text', () => {
    expect(redactText('connect postgres://app:s3cr3t@db:5432/cryo failed')).toBe(
      'connect postgres://app:***@db:5432/cryo failed',
    );
    expect(redactText('redis://:hunter2@cache:6379')).toBe('redis://:***@cache:6379');
  });

  it('should mask bearer tokens, JWTs and key=value secrets when they appear in text', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    expect(redactText(`Authorization: Bearer abc.def-123`)).toBe('Authorization: Bearer ***');
    expect(redactText(`token ${jwt} end`)).toBe(`token ${REDACTED} end`);
    expect(redactText('/callback?code=1&access_token=xyz&state=2')).toBe(
      '/callback?code=1&access_token=***&state=2',
    );
  });

  it('should mask secrets whatever the case of the parts the rules take in any case', () => {
    // The quick pre-check looks for exact substrings; the rules that ignore case must still fire.
    expect(redactText('HTTPS://Admin:Pw@Host/x')).toBe('HTTPS://Admin:***@Host/x');
    expect(redactText('PASSWORD=hunter2 API-KEY=k1 Token=t')).toBe(
      'PASSWORD=*** API-KEY=*** Token=***',
    );
    expect(redactText('Basic dXNlcjpwYXNz')).toBe('Basic ***');
    // The header rule is case-sensitive, as it always was: lower-case text is left as it is.
    expect(redactText('bearer abc.def')).toBe('bearer abc.def');
    expect(redactText('/api/v1/molecules/42 GET 200 wrk')).toBe('/api/v1/molecules/42 GET 200 wrk');
  });

  it('should recognise secret keys when spelled in camel, snake or header case', () => {
    for (const key of [
      'password',
      'newPassword',
      'passwordHash',
      'accessToken',
      'refresh_token',
      'jwtSecret',
      'apiKey',
      'x-api-key',
      'authorization',
      'cookie',
      'set-cookie',
    ]) {
      expect(isSecretKey(key)).toBe(true);
    }
    for (const key of ['email', 'tokenType', 'http.request.id', 'user.id', 'message']) {
      expect(isSecretKey(key)).toBe(false);
    }
  });

  it('should replace nested secret values without changing the original object when logging a request body', () => {
    const body = {
      email: 'a@b.org',
      password: 'pw',
      nested: { headers: { authorization: 'Bearer x', accept: 'json' } },
    };
    const clean = redact(body);
    expect(clean).toEqual({
      email: 'a@b.org',
      password: REDACTED,
      nested: { headers: { authorization: REDACTED, accept: 'json' } },
    });
    expect(body.password).toBe('pw');
    expect(body.nested.headers.authorization).toBe('Bearer x');
  });

  it('should return the same object when it holds no secret', () => {
    const value = { a: 1, b: ['x', { c: 'y' }] };
    expect(redact(value)).toBe(value);
  });
});
