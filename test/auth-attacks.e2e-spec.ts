import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  bearer,
  expectProblem,
  JwksServer,
  login,
  startJwksServer,
  supabaseClaims,
} from './auth.support';
import { describeEachDatabase, TestApp, TestAppOptions } from './support/test-app';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Our own access token with chosen claims and header, signed with the app's real secret unless told otherwise. */
async function forge(
  app: TestApp,
  sub: string,
  options: { iss?: string; aud?: string; exp?: number; kid?: string; key?: Uint8Array } = {},
): Promise<string> {
  const { jwtIssuer, jwtAudience, jwtSecret } = app.config.auth;
  const now = Math.floor(Date.now() / 1000);
  const validKid = (await realKid(app)) ?? '';
  return new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: options.kid ?? validKid })
    .setSubject(sub)
    .setIssuer(options.iss ?? jwtIssuer)
    .setAudience(options.aud ?? jwtAudience)
    .setIssuedAt(now - 10)
    .setExpirationTime(options.exp ?? now + 600)
    .sign(options.key ?? new TextEncoder().encode(jwtSecret));
}

async function realKid(app: TestApp): Promise<string | undefined> {
  const user = await app.signIn('viewer');
  const token = user.headers.authorization.split(' ')[1];
  return (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid?: string })
    .kid;
}

async function me(app: TestApp, headers: Record<string, string>) {
  return app.request('/api/v1/auth/me', { headers });
}

const options: TestAppOptions = { overrides: {} };
let jwks: JwksServer;
beforeAll(async () => {
  // Supabase with asymmetric signing keys, so key confusion (HS256 signed with the public key) can be tried.
  jwks = await startJwksServer();
  options.overrides = { auth: { supabase: { url: jwks.url } } };
});
afterAll(async () => {
  await jwks.close();
});

describeEachDatabase(
  'auth attacks',
  (ctx) => {
    it('should refuse a token with alg none', async () => {
      const target = await ctx().signIn('admin');
      const now = Math.floor(Date.now() / 1000);
      const { jwtIssuer, jwtAudience } = ctx().config.auth;
      const payload = {
        sub: target.id,
        role: 'admin',
        iss: jwtIssuer,
        aud: jwtAudience,
        iat: now,
        exp: now + 600,
      };
      const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
      await expectProblem(await me(ctx(), bearer(unsigned)), 401, 'AUTH_TOKEN_INVALID');
      const supabaseNone = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(supabaseClaims(`${jwks.url}/auth/v1`))}.`;
      await expectProblem(await me(ctx(), bearer(supabaseNone)), 401, 'AUTH_TOKEN_INVALID');
    });

    it('should refuse HS256 signed with the Supabase public key (key confusion)', async () => {
      const claims = supabaseClaims(`${jwks.url}/auth/v1`, { app_metadata: { role: 'admin' } });
      const confused = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: jwks.kid })
        .sign(new TextEncoder().encode(jwks.publicKeyPem));
      await expectProblem(await me(ctx(), bearer(confused)), 401, 'AUTH_TOKEN_INVALID');
      // Nobody was provisioned from it.
      const admin = await ctx().signIn('admin');
      const users = (await (
        await ctx().request('/api/v1/users', { headers: admin.headers })
      ).json()) as { items: { email: string }[] };
      expect(users.items.map((user) => user.email)).not.toContain(claims.email);
    });

    it('should refuse our token with a wrong audience, a wrong issuer, or expired', async () => {
      const target = await ctx().signIn('viewer');
      await expectProblem(
        await me(ctx(), bearer(await forge(ctx(), target.id, { aud: 'someone-else' }))),
        401,
        'AUTH_TOKEN_INVALID',
      );
      await expectProblem(
        await me(ctx(), bearer(await forge(ctx(), target.id, { iss: 'https://evil.example' }))),
        401,
        'AUTH_TOKEN_INVALID',
      );
      const past = Math.floor(Date.now() / 1000) - 60;
      await expectProblem(
        await me(ctx(), bearer(await forge(ctx(), target.id, { exp: past }))),
        401,
        'AUTH_TOKEN_EXPIRED',
      );
      // The forge itself is right: the same token with good claims is accepted.
      expect((await me(ctx(), bearer(await forge(ctx(), target.id)))).status).toBe(200);
    });

    it('should refuse an unknown key id, and a Supabase token with an unknown kid', async () => {
      const target = await ctx().signIn('viewer');
      await expectProblem(
        await me(ctx(), bearer(await forge(ctx(), target.id, { kid: 'rotated-away' }))),
        401,
        'AUTH_TOKEN_INVALID',
      );
      const unknownKid = await jwks.sign(supabaseClaims(`${jwks.url}/auth/v1`), {
        kid: randomUUID(),
      });
      await expectProblem(await me(ctx(), bearer(unknownKid)), 401, 'AUTH_TOKEN_INVALID');
    });

    it('should refuse a tampered payload', async () => {
      const viewer = await ctx().signIn('viewer');
      const admin = await ctx().signIn('admin');
      const [header, payload, signature] = viewer.headers.authorization.split(' ')[1].split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      const tampered = `${header}.${b64({ ...claims, sub: admin.id, role: 'admin' })}.${signature}`;
      await expectProblem(await me(ctx(), bearer(tampered)), 401, 'AUTH_TOKEN_INVALID');
      await expectProblem(await ctx().request('/api/v1/users', { headers: bearer(tampered) }), 401);
    });

    it("should refuse a disabled user's still-valid token at once, and its refresh token", async () => {
      const admin = await ctx().signIn('admin');
      const researcher = await ctx().signIn('researcher');
      const pair = await login(ctx(), researcher.email, researcher.password);
      expect((await me(ctx(), researcher.headers)).status).toBe(200);
      const disabled = await ctx().request(`/api/v1/users/${researcher.id}`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { status: 'disabled' },
      });
      expect(disabled.status).toBe(200);
      await expectProblem(await me(ctx(), researcher.headers), 401, 'AUTH_USER_DISABLED');
      await expectProblem(
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: researcher.headers,
          json: { name: 'x' },
        }),
        401,
      );
      await expectProblem(
        await ctx().request('/api/v1/auth/refresh', {
          method: 'POST',
          json: { refreshToken: pair.refreshToken },
        }),
        401,
        'AUTH_REFRESH_INVALID',
      );
      await expectProblem(
        await ctx().request('/api/v1/auth/login', {
          method: 'POST',
          json: { email: researcher.email, password: researcher.password },
        }),
        401,
        'AUTH_INVALID_CREDENTIALS',
      );
    });

    it('should refuse a used API key at once when its owner is disabled, and a deleted one', async () => {
      const admin = await ctx().signIn('admin');
      const researcher = await ctx().signIn('researcher');
      const createKey = async () =>
        (await (
          await ctx().request('/api/v1/api-keys', {
            method: 'POST',
            headers: researcher.headers,
            json: { name: 'instrument' },
          })
        ).json()) as { id: string; key: string };
      const kept = await createKey();
      const deleted = await createKey();
      // Used twice each, so this replica has matched the secrets and cached the keys and owner.
      for (const { key } of [kept, deleted, kept, deleted])
        expect((await me(ctx(), { 'x-api-key': key })).status).toBe(200);

      const removal = await ctx().request(`/api/v1/api-keys/${deleted.id}`, {
        method: 'DELETE',
        headers: researcher.headers,
      });
      expect(removal.status).toBe(204);
      await expectProblem(
        await me(ctx(), { 'x-api-key': deleted.key }),
        401,
        'AUTH_API_KEY_INVALID',
      );
      expect((await me(ctx(), { 'x-api-key': kept.key })).status).toBe(200);

      const disabled = await ctx().request(`/api/v1/users/${researcher.id}`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { status: 'disabled' },
      });
      expect(disabled.status).toBe(200);
      await expectProblem(await me(ctx(), { 'x-api-key': kept.key }), 401, 'AUTH_USER_DISABLED');
    });

    it('should revoke the whole family when a rotated refresh token is reused', async () => {
      const admin = await ctx().signIn('admin');
      const user = await ctx().signIn('viewer');
      const first = await login(ctx(), user.email, user.password);
      const refresh = (refreshToken: string) =>
        ctx().request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken } });
      const rotated = await refresh(first.refreshToken);
      expect(rotated.status).toBe(200);
      const second = (await rotated.json()) as { refreshToken: string };
      await expectProblem(await refresh(first.refreshToken), 401, 'AUTH_REFRESH_REUSED');
      // The thief's (or the owner's) newest token is dead too.
      await expectProblem(await refresh(second.refreshToken), 401, 'AUTH_REFRESH_INVALID');
      const audit = (await (
        await ctx().request(`/api/v1/audit?action=auth.refresh_reuse&id=${user.id}`, {
          headers: admin.headers,
        })
      ).json()) as { items: unknown[] };
      expect(audit.items).toHaveLength(1);
      // A fresh login still works: only that session was ended.
      expect((await login(ctx(), user.email, user.password)).accessToken).toBeTruthy();
    });

    it("should answer 404 when a researcher deletes another researcher's API key, and keep the key", async () => {
      const owner = await ctx().signIn('researcher');
      const intruder = await ctx().signIn('researcher');
      const { id, key } = (await (
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: owner.headers,
          json: { name: 'mine' },
        })
      ).json()) as { id: string; key: string };
      const attempt = await ctx().request(`/api/v1/api-keys/${id}`, {
        method: 'DELETE',
        headers: intruder.headers,
      });
      const problem = await expectProblem(attempt, 404, 'API_KEY_NOT_FOUND');
      const missing = await expectProblem(
        await ctx().request(`/api/v1/api-keys/${randomUUID()}`, {
          method: 'DELETE',
          headers: intruder.headers,
        }),
        404,
        'API_KEY_NOT_FOUND',
      );
      expect(problem.title).toBe(missing.title);
      expect((await me(ctx(), { 'x-api-key': key })).status).toBe(200);
      const list = (await (
        await ctx().request('/api/v1/api-keys?all=true', { headers: intruder.headers })
      ).json()) as {
        items: { id: string }[];
      };
      expect(list.items.map((item) => item.id)).not.toContain(id);
    });

    it("should refuse a researcher changing another researcher's molecule, with nothing changed", async () => {
      const owner = await ctx().signIn('researcher');
      const intruder = await ctx().signIn('researcher');
      const created = await ctx().request('/api/v1/molecules', {
        method: 'POST',
        headers: owner.headers,
        json: { smiles: 'OCCO', name: 'Ethylene glycol' },
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const { key } = (await (
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: intruder.headers,
          json: { name: 'k' },
        })
      ).json()) as { key: string };
      for (const headers of [intruder.headers, { 'x-api-key': key }]) {
        const patch = { method: 'PATCH', headers, json: { name: 'stolen' } };
        await expectProblem(
          await ctx().request(`/api/v1/molecules/${id}`, patch),
          403,
          'AUTH_FORBIDDEN',
        );
        await expectProblem(
          await ctx().request(`/api/v1/molecules/${id}`, { method: 'DELETE', headers }),
          403,
          'AUTH_FORBIDDEN',
        );
      }
      await expectProblem(
        await ctx().request('/api/v1/molecules', {
          method: 'POST',
          headers: intruder.headers,
          json: { smiles: 'OCC(O)C', name: 'Propylene glycol', createdBy: owner.id },
        }),
        400,
        'VALIDATION_FAILED',
      );
      const after = (await (
        await ctx().request(`/api/v1/molecules/${id}`, { headers: owner.headers })
      ).json()) as {
        name: string;
        createdBy: string;
      };
      expect(after).toMatchObject({ name: 'Ethylene glycol', createdBy: owner.id });
    });

    it('should refuse a viewer writing, with nothing created', async () => {
      const viewer = await ctx().signIn('viewer');
      const admin = await ctx().signIn('admin');
      const email = `made-by-viewer-${randomUUID()}@example.org`;
      await expectProblem(
        await ctx().request('/api/v1/users', {
          method: 'POST',
          headers: viewer.headers,
          json: { email, password: 'a-long-enough-password', role: 'admin' },
        }),
        403,
        'AUTH_FORBIDDEN',
      );
      await expectProblem(
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: viewer.headers,
          json: { name: 'x', role: 'admin' },
        }),
        403,
        'API_KEY_ROLE_TOO_HIGH',
      );
      await expectProblem(
        await ctx().request(`/api/v1/users/${viewer.id}`, {
          method: 'PATCH',
          headers: viewer.headers,
          json: { role: 'admin' },
        }),
        403,
        'AUTH_FORBIDDEN',
      );
      const users = (await (
        await ctx().request('/api/v1/users', { headers: admin.headers })
      ).json()) as {
        items: { email: string; id: string; role: string }[];
      };
      expect(users.items.map((user) => user.email)).not.toContain(email);
      expect(users.items.find((user) => user.id === viewer.id)?.role).toBe('viewer');
      const keys = (await (
        await ctx().request('/api/v1/api-keys', { headers: viewer.headers })
      ).json()) as { items: unknown[] };
      expect(keys.items).toHaveLength(0);
    });

    it('should refuse a user setting their own role in a body (unknown field), role unchanged', async () => {
      const researcher = await ctx().signIn('researcher');
      const body = await expectProblem(
        await ctx().request('/api/v1/auth/login', {
          method: 'POST',
          json: { email: researcher.email, password: researcher.password, role: 'admin' },
        }),
        400,
        'VALIDATION_FAILED',
      );
      expect(body.errors).toEqual([
        expect.objectContaining({ field: 'role', message: 'unknown field' }),
      ]);
      const pair = await login(ctx(), researcher.email, researcher.password);
      await expectProblem(
        await ctx().request('/api/v1/auth/refresh', {
          method: 'POST',
          json: { refreshToken: pair.refreshToken, role: 'admin' },
        }),
        400,
        'VALIDATION_FAILED',
      );
      await expectProblem(
        await ctx().request('/api/v1/api-keys', {
          method: 'POST',
          headers: researcher.headers,
          json: { name: 'k', createdBy: randomUUID(), ownerId: randomUUID() },
        }),
        400,
        'VALIDATION_FAILED',
      );
      const admin = await ctx().signIn('admin');
      await expectProblem(
        await ctx().request(`/api/v1/users/${researcher.id}`, {
          method: 'PATCH',
          headers: admin.headers,
          json: { role: 'curator', passwordHash: 'x', email: 'new@example.org' },
        }),
        400,
        'VALIDATION_FAILED',
      );
      expect(await (await me(ctx(), researcher.headers)).json()).toMatchObject({
        role: 'researcher',
        email: researcher.email,
      });
    });
  },
  options,
);
