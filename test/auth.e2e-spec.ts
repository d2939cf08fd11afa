import { randomBytes, randomUUID } from 'node:crypto';
import {
  bearer,
  expectProblem,
  JwksServer,
  login,
  signSupabaseHs256,
  startJwksServer,
  supabaseClaims,
} from './auth.support';
import { describeEachDatabase, TestApp, TestAppOptions } from './support/test-app';

interface AuditPage {
  items: {
    action: string;
    actorEmail: string | null;
    actorId: string | null;
    ipAddress: string | null;
    entityId: string | null;
    after: unknown;
    before: unknown;
    requestId: string | null;
  }[];
}

async function auditEvents(
  app: TestApp,
  headers: Record<string, string>,
  query: string,
): Promise<AuditPage['items']> {
  const response = await app.request(`/api/v1/audit?${query}`, { headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as AuditPage).items;
}

describeEachDatabase('auth: tokens, users and API keys', (ctx) => {
  let admin: Awaited<ReturnType<TestApp['signIn']>>;

  beforeAll(async () => {
    admin = await ctx().signIn('admin');
  });

  describe('tokens', () => {
    it('should return an access and a refresh token when the password is right', async () => {
      const user = await ctx().signIn('researcher');
      const pair = await login(ctx(), user.email, user.password);
      expect(pair).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: ctx().config.auth.accessTokenTtlSeconds,
      });
      expect(pair.refreshToken).toMatch(/^cpr_[A-Za-z0-9_-]{43}$/);
      const me = await ctx().request('/api/v1/auth/me', { headers: bearer(pair.accessToken) });
      expect(await me.json()).toMatchObject({ id: user.id, role: 'researcher', via: 'password' });
    });

    it('should rotate the refresh token on every use when refreshing', async () => {
      const user = await ctx().signIn('viewer');
      const first = await login(ctx(), user.email, user.password);
      const response = await ctx().request('/api/v1/auth/refresh', {
        method: 'POST',
        json: { refreshToken: first.refreshToken },
      });
      expect(response.status).toBe(200);
      const second = (await response.json()) as typeof first;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(
        (await ctx().request('/api/v1/auth/me', { headers: bearer(second.accessToken) })).status,
      ).toBe(200);
      const third = await ctx().request('/api/v1/auth/refresh', {
        method: 'POST',
        json: { refreshToken: second.refreshToken },
      });
      expect(third.status).toBe(200);
    });

    it('should end the session when logging out', async () => {
      const user = await ctx().signIn('viewer');
      const pair = await login(ctx(), user.email, user.password);
      const out = await ctx().request('/api/v1/auth/logout', {
        method: 'POST',
        headers: bearer(pair.accessToken),
        json: { refreshToken: pair.refreshToken },
      });
      expect(out.status).toBe(204);
      await expectProblem(
        await ctx().request('/api/v1/auth/refresh', {
          method: 'POST',
          json: { refreshToken: pair.refreshToken },
        }),
        401,
        'AUTH_REFRESH_INVALID',
      );
    });

    it('should answer the same for an unknown email and a wrong password', async () => {
      const user = await ctx().signIn('viewer');
      const unknown = await ctx().request('/api/v1/auth/login', {
        method: 'POST',
        json: { email: `nobody-${randomUUID()}@example.org`, password: 'whatever-password' },
      });
      const wrong = await ctx().request('/api/v1/auth/login', {
        method: 'POST',
        json: { email: user.email, password: 'wrong-password' },
      });
      const a = await expectProblem(unknown, 401, 'AUTH_INVALID_CREDENTIALS');
      const b = await expectProblem(wrong, 401, 'AUTH_INVALID_CREDENTIALS');
      expect({ ...a, requestId: null }).toEqual({ ...b, requestId: null });
    });

    it('should audit logins and failed logins with who, when and from where', async () => {
      const user = await ctx().signIn('viewer');
      await ctx().request('/api/v1/auth/login', {
        method: 'POST',
        json: { email: user.email, password: 'wrong-password' },
      });
      const failed = await auditEvents(ctx(), admin.headers, 'action=auth.login_failed');
      const mine = failed.find((event) => event.actorEmail === user.email);
      expect(mine).toMatchObject({
        entityId: user.id,
        ipAddress: '127.0.0.1',
        after: { reason: 'invalid_credentials' },
      });
      expect(mine?.requestId).toBeTruthy();
      const logins = await auditEvents(ctx(), admin.headers, `action=auth.login&actor=${user.id}`);
      expect(logins.length).toBeGreaterThanOrEqual(1);
      expect(logins[0]).toMatchObject({ actorEmail: user.email, ipAddress: '127.0.0.1' });
    });
  });

  describe('users admin', () => {
    it('should let an admin create a user, change its role and read the change in the audit trail', async () => {
      const email = `new-${randomBytes(4).toString('hex')}@example.org`;
      const created = await ctx().request('/api/v1/users', {
        method: 'POST',
        headers: admin.headers,
        json: {
          email,
          password: 'a-long-enough-password',
          role: 'viewer',
          displayName: 'New Person',
        },
      });
      expect(created.status).toBe(201);
      const user = (await created.json()) as { id: string; role: string };
      expect(user).toMatchObject({ role: 'viewer', email });
      const patched = await ctx().request(`/api/v1/users/${user.id}`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { role: 'researcher' },
      });
      expect(patched.status).toBe(200);
      expect(await patched.json()).toMatchObject({ role: 'researcher' });
      const events = await auditEvents(
        ctx(),
        admin.headers,
        `action=user.role_change&entity=User&id=${user.id}`,
      );
      expect(events[0]).toMatchObject({
        actorId: admin.id,
        before: { role: 'viewer' },
        after: { role: 'researcher' },
      });
      const list = await ctx().request('/api/v1/users', { headers: admin.headers });
      expect(
        ((await list.json()) as { items: { email: string }[] }).items.map((item) => item.email),
      ).toContain(email);
      // The new account logs in with its password and has the new role at once.
      const pair = await login(ctx(), email, 'a-long-enough-password');
      const me = await ctx().request('/api/v1/auth/me', { headers: bearer(pair.accessToken) });
      expect(await me.json()).toMatchObject({ role: 'researcher' });
    });

    it('should refuse users admin to anyone but admins', async () => {
      for (const role of ['viewer', 'researcher', 'curator'] as const) {
        const user = await ctx().signIn(role);
        await expectProblem(
          await ctx().request('/api/v1/users', { headers: user.headers }),
          403,
          'AUTH_FORBIDDEN',
        );
      }
    });

    it('should refuse an admin changing their own role or status', async () => {
      const other = await ctx().signIn('admin');
      const response = await ctx().request(`/api/v1/users/${other.id}`, {
        method: 'PATCH',
        headers: other.headers,
        json: { status: 'disabled' },
      });
      await expectProblem(response, 422, 'USER_SELF_CHANGE');
    });

    it('should answer 409 for a duplicate email and 404 for an unknown user', async () => {
      await expectProblem(
        await ctx().request('/api/v1/users', {
          method: 'POST',
          headers: admin.headers,
          json: {
            email: admin.email.toUpperCase(),
            password: 'a-long-enough-password',
            role: 'viewer',
          },
        }),
        409,
        'USER_EMAIL_TAKEN',
      );
      await expectProblem(
        await ctx().request(`/api/v1/users/${randomUUID()}`, {
          method: 'PATCH',
          headers: admin.headers,
          json: { role: 'viewer' },
        }),
        404,
      );
    });
  });

  describe('API keys', () => {
    it('should create a key shown once and authenticate X-API-Key with it', async () => {
      const researcher = await ctx().signIn('researcher');
      const response = await ctx().request('/api/v1/api-keys', {
        method: 'POST',
        headers: researcher.headers,
        json: { name: 'plate reader', role: 'viewer' },
      });
      expect(response.status).toBe(201);
      const created = (await response.json()) as { id: string; key: string; role: string };
      expect(created.key).toMatch(new RegExp(`^cpk_${created.id}_[A-Za-z0-9_-]{43}$`));
      const me = await ctx().request('/api/v1/auth/me', { headers: { 'x-api-key': created.key } });
      expect(await me.json()).toMatchObject({
        id: researcher.id,
        role: 'viewer',
        via: 'api-key',
        apiKeyId: created.id,
      });
      const list = await ctx().request('/api/v1/api-keys', { headers: researcher.headers });
      const items = ((await list.json()) as { items: Record<string, unknown>[] }).items;
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        id: created.id,
        name: 'plate reader',
        role: 'viewer',
        ownerId: researcher.id,
      });
      expect(JSON.stringify(items)).not.toContain(created.key.split('_').pop());
      const events = await auditEvents(
        ctx(),
        admin.headers,
        `action=api_key.create&id=${created.id}`,
      );
      expect(events[0]).toMatchObject({ actorId: researcher.id });
    });

    it('should default the key role to the creator role and refuse a higher one', async () => {
      const researcher = await ctx().signIn('researcher');
      const created = await ctx().request('/api/v1/api-keys', {
        method: 'POST',
        headers: researcher.headers,
        json: { name: 'k' },
      });
      expect(await created.json()).toMatchObject({ role: 'researcher' });
      await expectProblem(
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: researcher.headers,
          json: { name: 'k', role: 'admin' },
        }),
        403,
        'API_KEY_ROLE_TOO_HIGH',
      );
    });

    it('should stop accepting a key once deleted, and audit the deletion', async () => {
      const viewer = await ctx().signIn('viewer');
      const { id, key } = (await (
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: viewer.headers,
          json: { name: 'temp' },
        })
      ).json()) as { id: string; key: string };
      expect(
        (await ctx().request('/api/v1/auth/me', { headers: { 'x-api-key': key } })).status,
      ).toBe(200);
      expect(
        (
          await ctx().request(`/api/v1/api-keys/${id}`, {
            method: 'DELETE',
            headers: viewer.headers,
          })
        ).status,
      ).toBe(204);
      await expectProblem(
        await ctx().request('/api/v1/auth/me', { headers: { 'x-api-key': key } }),
        401,
        'AUTH_API_KEY_INVALID',
      );
      await expectProblem(
        await ctx().request(`/api/v1/api-keys/${id}`, {
          method: 'DELETE',
          headers: viewer.headers,
        }),
        404,
      );
      const events = await auditEvents(ctx(), admin.headers, `action=api_key.delete&id=${id}`);
      expect(events[0]).toMatchObject({ actorId: viewer.id });
    });

    it('should refuse an expired key', async () => {
      const viewer = await ctx().signIn('viewer');
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const { key } = (await (
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: viewer.headers,
          json: { name: 'short', expiresAt },
        })
      ).json()) as { key: string };
      expect(
        (await ctx().request('/api/v1/auth/me', { headers: { 'x-api-key': key } })).status,
      ).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1700));
      await expectProblem(
        await ctx().request('/api/v1/auth/me', { headers: { 'x-api-key': key } }),
        401,
        'AUTH_API_KEY_INVALID',
      );
    });

    it('should refuse an expiry in the past and a malformed key', async () => {
      const viewer = await ctx().signIn('viewer');
      await expectProblem(
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: viewer.headers,
          json: { name: 'old', expiresAt: '2001-01-01T00:00:00Z' },
        }),
        400,
        'VALIDATION_FAILED',
      );
      await expectProblem(
        await ctx().request('/api/v1/auth/me', { headers: { 'x-api-key': 'cpk_nonsense' } }),
        401,
        'AUTH_API_KEY_INVALID',
      );
    });

    it("should apply the owner's status at once: a disabled owner's key is refused", async () => {
      const researcher = await ctx().signIn('researcher');
      const { key } = (await (
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: researcher.headers,
          json: { name: 'k' },
        })
      ).json()) as { key: string };
      expect(
        (await ctx().request('/api/v1/auth/me', { headers: { 'x-api-key': key } })).status,
      ).toBe(200);
      await ctx().request(`/api/v1/users/${researcher.id}`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { status: 'disabled' },
      });
      await expectProblem(
        await ctx().request('/api/v1/auth/me', { headers: { 'x-api-key': key } }),
        401,
        'AUTH_USER_DISABLED',
      );
    });

    it('should act with the owner role when the owner was demoted below the key role', async () => {
      const curator = await ctx().signIn('curator');
      const { key } = (await (
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: curator.headers,
          json: { name: 'k' },
        })
      ).json()) as { key: string };
      await ctx().request(`/api/v1/users/${curator.id}`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { role: 'viewer' },
      });
      const me = await ctx().request('/api/v1/auth/me', { headers: { 'x-api-key': key } });
      expect(await me.json()).toMatchObject({ role: 'viewer' });
    });

    it("should let admins list and delete everyone's keys", async () => {
      const researcher = await ctx().signIn('researcher');
      const { id } = (await (
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: researcher.headers,
          json: { name: 'k' },
        })
      ).json()) as { id: string };
      const own = (await (
        await ctx().request('/api/v1/api-keys', { headers: admin.headers })
      ).json()) as { items: { id: string }[] };
      expect(own.items.map((item) => item.id)).not.toContain(id);
      const all = (await (
        await ctx().request('/api/v1/api-keys?all=true', { headers: admin.headers })
      ).json()) as {
        items: { id: string }[];
      };
      expect(all.items.map((item) => item.id)).toContain(id);
      const researcherAll = (await (
        await ctx().request('/api/v1/api-keys?all=true', { headers: researcher.headers })
      ).json()) as {
        items: { ownerId: string }[];
      };
      expect(researcherAll.items.every((item) => item.ownerId === researcher.id)).toBe(true);
      expect(
        (
          await ctx().request(`/api/v1/api-keys/${id}`, {
            method: 'DELETE',
            headers: admin.headers,
          })
        ).status,
      ).toBe(204);
    });
  });
});

describeEachDatabase(
  'auth: login rate limiting',
  (ctx) => {
    const attempt = (email: string, password: string, ip?: string) =>
      ctx().request('/api/v1/auth/login', {
        method: 'POST',
        json: { email, password },
        headers: ip ? { 'x-forwarded-for': ip } : {},
      });

    it('should lock an account after too many failures, even for the right password, with Retry-After', async () => {
      const user = await ctx().signIn('viewer');
      for (let i = 0; i < 3; i++)
        await expectProblem(await attempt(user.email, 'wrong-password', '10.0.0.1'), 401);
      const locked = await attempt(user.email, user.password, '10.0.0.2');
      await expectProblem(locked, 429, 'AUTH_LOCKED');
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    });

    it('should lock an address after too many failures across accounts', async () => {
      for (let i = 0; i < 5; i++)
        await attempt(`spray-${i}-${randomUUID()}@example.org`, 'guess-password', '10.9.9.9');
      const user = await ctx().signIn('viewer');
      await expectProblem(await attempt(user.email, user.password, '10.9.9.9'), 429, 'AUTH_LOCKED');
      expect((await attempt(user.email, user.password, '10.9.9.10')).status).toBe(200);
    });

    it('should count unknown accounts like known ones', async () => {
      const email = `ghost-${randomUUID()}@example.org`;
      for (let i = 0; i < 3; i++) await attempt(email, 'guess-password', `10.1.0.${i}`);
      await expectProblem(await attempt(email, 'guess-password', '10.1.0.9'), 429, 'AUTH_LOCKED');
    });
  },
  {
    overrides: {
      server: { trustProxy: true },
      auth: {
        loginRateLimit: { windowSeconds: 60, maxFailuresPerAccount: 3, maxFailuresPerAddress: 5 },
      },
    },
  },
);

const supabaseSecret = randomBytes(32).toString('hex');
const supabaseUrl = 'https://abcdefghijklmnop.supabase.co';

describeEachDatabase(
  'auth: Supabase tokens (HS256 project secret)',
  (ctx) => {
    const issuer = `${supabaseUrl}/auth/v1`;

    it('should provision a viewer from a Supabase token, ignoring user_metadata', async () => {
      const claims = supabaseClaims(issuer, { user_metadata: { role: 'admin' } });
      const token = await signSupabaseHs256(supabaseSecret, claims);
      const me = await ctx().request('/api/v1/auth/me', { headers: bearer(token) });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        email: claims.email,
        role: 'viewer',
        via: 'supabase',
      });
      // The same subject maps to the same account next time.
      const again = await ctx().request('/api/v1/auth/me', {
        headers: bearer(await signSupabaseHs256(supabaseSecret, claims)),
      });
      expect(((await again.json()) as { id: string }).id).toBe(
        (
          (await (await ctx().request('/api/v1/auth/me', { headers: bearer(token) })).json()) as {
            id: string;
          }
        ).id,
      );
    });

    it('should take the role from app_metadata', async () => {
      const token = await signSupabaseHs256(
        supabaseSecret,
        supabaseClaims(issuer, {
          app_metadata: { provider: 'email', providers: ['email'], role: 'researcher' },
        }),
      );
      const me = await ctx().request('/api/v1/auth/me', { headers: bearer(token) });
      expect(await me.json()).toMatchObject({ role: 'researcher', via: 'supabase' });
    });

    it('should link an existing account by email', async () => {
      const local = await ctx().signIn('curator');
      const token = await signSupabaseHs256(
        supabaseSecret,
        supabaseClaims(issuer, { email: local.email }),
      );
      const me = await ctx().request('/api/v1/auth/me', { headers: bearer(token) });
      expect(await me.json()).toMatchObject({ id: local.id, role: 'curator', via: 'supabase' });
    });

    it('should refuse a Supabase token with the wrong audience, a wrong secret or an expired one', async () => {
      const wrongAud = await signSupabaseHs256(
        supabaseSecret,
        supabaseClaims(issuer, { aud: 'anon' }),
      );
      await expectProblem(
        await ctx().request('/api/v1/auth/me', { headers: bearer(wrongAud) }),
        401,
        'AUTH_TOKEN_INVALID',
      );
      const wrongKey = await signSupabaseHs256(
        randomBytes(32).toString('hex'),
        supabaseClaims(issuer),
      );
      await expectProblem(
        await ctx().request('/api/v1/auth/me', { headers: bearer(wrongKey) }),
        401,
        'AUTH_TOKEN_INVALID',
      );
      const now = Math.floor(Date.now() / 1000);
      const expired = await signSupabaseHs256(
        supabaseSecret,
        supabaseClaims(issuer, { iat: now - 7200, exp: now - 3600 }),
      );
      await expectProblem(
        await ctx().request('/api/v1/auth/me', { headers: bearer(expired) }),
        401,
        'AUTH_TOKEN_EXPIRED',
      );
    });
  },
  { overrides: { auth: { supabase: { url: supabaseUrl, jwtSecret: supabaseSecret } } } },
);

// The JWKS server must be listening before the app starts, so its URL goes into the (shared) options.
const jwksOptions: TestAppOptions = { overrides: {} };
let jwks: JwksServer;
beforeAll(async () => {
  jwks = await startJwksServer();
  jwksOptions.overrides = { auth: { supabase: { url: jwks.url } } };
});
afterAll(async () => {
  await jwks.close();
});

describeEachDatabase(
  'auth: Supabase tokens (RS256 signing keys from the JWKS)',
  (ctx) => {
    it('should accept an RS256 token verified with the project JWKS', async () => {
      const token = await jwks.sign(
        supabaseClaims(`${jwks.url}/auth/v1`, { app_metadata: { role: 'curator' } }),
      );
      const me = await ctx().request('/api/v1/auth/me', { headers: bearer(token) });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ role: 'curator', via: 'supabase' });
    });

    it('should still accept our own access tokens next to Supabase ones', async () => {
      const user = await ctx().signIn('researcher');
      expect((await ctx().request('/api/v1/auth/me', { headers: user.headers })).status).toBe(200);
    });
  },
  jwksOptions,
);
