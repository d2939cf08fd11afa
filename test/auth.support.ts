import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, JWTPayload, SignJWT } from 'jose';
import { TestApp } from './support/test-app';

/** Asserts an RFC 9457 problem answer with this status (and code, when given); returns the body. */
export async function expectProblem(
  response: Response,
  status: number,
  code?: string,
): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body.status).toBe(status);
  if (code) expect(body.code).toBe(code);
  return body;
}

export interface Login {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

export async function login(app: TestApp, email: string, password: string): Promise<Login> {
  const response = await app.request('/api/v1/auth/login', {
    method: 'POST',
    json: { email, password },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Login;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The claims Supabase Auth puts in a user's access token (see supabase/auth `AccessTokenClaims`). */
export function supabaseClaims(
  issuer: string,
  overrides: Record<string, unknown> = {},
): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const email = `sb-${randomUUID().slice(0, 8)}@example.org`;
  return {
    iss: issuer,
    sub: randomUUID(),
    aud: 'authenticated',
    exp: now + 3600,
    iat: now,
    email,
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: { email, email_verified: true },
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: now }],
    session_id: randomUUID(),
    is_anonymous: false,
    ...overrides,
  };
}

/** Signs like a Supabase project with the legacy shared JWT secret (HS256). */
export function signSupabaseHs256(secret: string, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

export interface JwksServer {
  /** Base URL, used as SUPABASE_URL: the JWKS is at <url>/auth/v1/.well-known/jwks.json like Supabase's. */
  url: string;
  kid: string;
  publicKeyPem: string;
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** A local stand-in for a Supabase project's asymmetric signing keys (RS256), served on loopback. */
export async function startJwksServer(): Promise<JwksServer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const server: Server = createServer((request, response) => {
    if (request.url === '/auth/v1/.well-known/jwks.json') {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    kid,
    publicKeyPem: await exportSPKI(publicKey),
    sign: (claims, header = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, ...header })
        .sign(privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
