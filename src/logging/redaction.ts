/** What replaces a secret in a log line. */
export const REDACTED = '[REDACTED]';

// Keys whose values are secrets, compared lower-case without separators: password, passwordHash,
// accessToken, refresh_token, jwtSecret, apiKey, x-api-key, authorization, cookie, set-cookie…
const SECRET_KEY =
  /(password|passwd|passphrase|secret|token|apikey|authorization|cookie|credential|privatekey)s?$|password/;

const TEXT_RULES: Array<[RegExp, string]> = [
  // postgres://user:pw@host → postgres://user:***@host (any scheme with user info).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s@/]+@/gi, '$1***@'],
  // Authorization header values quoted in text.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***'],
  // JSON Web Tokens anywhere (header.payload.signature, base64url).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  // password=…, token=…, api_key=… in query strings or key=value text.
  [
    /\b((?:password|passwd|token|access_token|refresh_token|secret|api[_-]?key)=)[^&\s"]+/gi,
    '$1***',
  ],
];

/**
 * Every rule above needs one of these exact substrings ('://', 'Bearer' or 'Basic' — that rule is
 * case-sensitive —, 'eyJ', '='); most log text has none, so it skips the rules at once. One
 * alternation of plain substrings is one scan of the text (cheaper than five `includes`, and far
 * cheaper than the rules' case-insensitive patterns).
 */
export const SECRET_TRIGGER_SOURCE = '=|://|eyJ|Bearer|Basic';
const SECRET_TRIGGER = new RegExp(SECRET_TRIGGER_SOURCE);

function mightHoldSecret(text: string): boolean {
  return SECRET_TRIGGER.test(text);
}

// Log lines reuse a small set of keys, so each key is classified once (bounded: arbitrary keys
// from logged objects cannot grow it without limit).
const secretKeyMemo = new Map<string, boolean>();
const SECRET_KEY_MEMO_MAX = 4096;

export function isSecretKey(key: string): boolean {
  let secret = secretKeyMemo.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key.toLowerCase().replace(/[-_.\s]/g, ''));
    if (secretKeyMemo.size < SECRET_KEY_MEMO_MAX) secretKeyMemo.set(key, secret);
  }
  return secret;
}

/** The text with connection-string passwords, bearer tokens, JWTs and key=secret pairs masked. */
export function redactText(text: string): string {
  if (!mightHoldSecret(text)) return text;
  let result = text;
  for (const [pattern, replacement] of TEXT_RULES) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A copy of value with secrets masked: values under secret-looking keys replaced, strings
 * scrubbed. Objects without secrets are returned as they are (no copy).
 */
export function redact<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const clean = redact(item, depth + 1);
      if (clean !== item) (copy ??= [...value])[index] = clean;
    });
    return (copy ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const clean =
      isSecretKey(key) && item !== undefined && item !== null ? REDACTED : redact(item, depth + 1);
    if (clean !== item) (copy ??= { ...value })[key] = clean;
  }
  return (copy ?? value) as T;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
