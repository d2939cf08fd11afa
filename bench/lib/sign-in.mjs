import { randomBytes } from 'node:crypto';

/** Creates a researcher in a running app and logs in over HTTP, as an API client would. */
export async function signInResearcher(app, url) {
  // Loaded on first use: only the process that runs the app needs it.
  const { UserService } = await import(
    new URL('../../dist/src/auth/user.service.js', import.meta.url)
  );
  const email = 'bench@example.org';
  const password = randomBytes(16).toString('hex');
  const user = await app.get(UserService).createUser({ email, role: 'researcher', password });
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`bench login failed: ${login.status} ${await login.text()}`);
  const { accessToken } = await login.json();
  return { user, accessToken };
}
