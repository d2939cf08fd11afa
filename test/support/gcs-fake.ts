import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A test-only fake of the subset of the Google Cloud Storage JSON API that @google-cloud/storage 7
 * calls for our driver: multipart and resumable uploads, media download, metadata, list, delete.
 * It proves the wiring of our GCS driver against the REAL client library over HTTP; it does NOT
 * prove Google's semantics (IAM, preconditions, consistency, lifecycle, retention policies).
 */
interface StoredObject {
  data: Buffer;
  updated: string;
  generation: string;
}

interface Upload {
  bucket: string;
  name: string;
  parts: Buffer[];
  received: number;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

export class GcsFake {
  private readonly objects = new Map<string, StoredObject>();
  private readonly uploads = new Map<string, Upload>();
  private server: Server | undefined;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) =>
        this.json(response, 500, { error: { code: 500, message: error.message } }),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.endpoint);
    const body = await read(request);
    const upload = url.pathname.match(/^\/upload\/storage\/v1\/b\/([^/]+)\/o$/);
    if (upload) return this.upload(request, response, url, decodeURIComponent(upload[1]), body);
    const object = url.pathname.match(/^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/);
    if (object) {
      const key = `${decodeURIComponent(object[1])}/${decodeURIComponent(object[2])}`;
      const stored = this.objects.get(key);
      if (request.method === 'DELETE') {
        if (!stored) return this.notFound(response);
        this.objects.delete(key);
        response.writeHead(204).end();
        return;
      }
      if (!stored) return this.notFound(response);
      if (url.searchParams.get('alt') === 'media') {
        response.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': stored.data.length,
          'x-goog-hash': `crc32c=${crc32c(stored.data)},md5=${createHash('md5').update(stored.data).digest('base64')}`,
          'x-goog-generation': stored.generation,
        });
        response.end(stored.data);
        return;
      }
      return this.json(
        response,
        200,
        this.metadata(decodeURIComponent(object[1]), decodeURIComponent(object[2]), stored),
      );
    }
    const list = url.pathname.match(/^\/storage\/v1\/b\/([^/]+)\/o$/);
    if (list && request.method === 'GET') {
      const bucket = decodeURIComponent(list[1]);
      const prefix = url.searchParams.get('prefix') ?? '';
      const items = [...this.objects.entries()]
        .filter(([key]) => key.startsWith(`${bucket}/${prefix}`))
        .map(([key, stored]) => this.metadata(bucket, key.slice(bucket.length + 1), stored));
      return this.json(response, 200, { kind: 'storage#objects', items });
    }
    this.json(response, 404, {
      error: { code: 404, message: `no route ${request.method} ${url.pathname}` },
    });
  }

  private upload(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    bucket: string,
    body: Buffer,
  ): void {
    const type = url.searchParams.get('uploadType');
    if (type === 'multipart' && request.method === 'POST') {
      const boundary = /boundary=([^;]+)/
        .exec(request.headers['content-type'] ?? '')?.[1]
        ?.replace(/"/g, '');
      if (!boundary)
        return this.json(response, 400, { error: { code: 400, message: 'no boundary' } });
      const parts = splitMultipart(body, boundary);
      const metadata = JSON.parse(parts[0].toString('utf8')) as { name?: string };
      const name = metadata.name ?? url.searchParams.get('name')!;
      return this.json(response, 200, this.store(bucket, name, parts[1]));
    }
    if (type === 'resumable' && request.method === 'POST') {
      const metadata =
        body.length > 0 ? (JSON.parse(body.toString('utf8')) as { name?: string }) : {};
      const name = url.searchParams.get('name') ?? metadata.name!;
      const id = randomBytes(8).toString('hex');
      this.uploads.set(id, { bucket, name, parts: [], received: 0 });
      response.writeHead(200, {
        location: `${this.endpoint}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&upload_id=${id}`,
      });
      response.end();
      return;
    }
    const id = url.searchParams.get('upload_id');
    const pending = id ? this.uploads.get(id) : undefined;
    if (type === 'resumable' && request.method === 'PUT' && pending) {
      const range = /bytes (\*|(\d+)-(\d+))\/(\*|\d+)/.exec(request.headers['content-range'] ?? '');
      if (body.length > 0) {
        pending.parts.push(body);
        pending.received += body.length;
      }
      const total = range && range[4] !== '*' ? Number(range[4]) : undefined;
      if (total !== undefined && pending.received >= total) {
        this.uploads.delete(id!);
        return this.json(
          response,
          200,
          this.store(pending.bucket, pending.name, Buffer.concat(pending.parts)),
        );
      }
      response.writeHead(
        308,
        pending.received > 0 ? { range: `bytes=0-${pending.received - 1}` } : {},
      );
      response.end();
      return;
    }
    this.json(response, 404, { error: { code: 404, message: 'unknown upload' } });
  }

  private store(bucket: string, name: string, data: Buffer): Record<string, unknown> {
    const stored = { data, updated: new Date().toISOString(), generation: String(Date.now()) };
    this.objects.set(`${bucket}/${name}`, stored);
    return this.metadata(bucket, name, stored);
  }

  private metadata(bucket: string, name: string, stored: StoredObject): Record<string, unknown> {
    return {
      kind: 'storage#object',
      id: `${bucket}/${name}/${stored.generation}`,
      name,
      bucket,
      generation: stored.generation,
      size: String(stored.data.length),
      updated: stored.updated,
      timeCreated: stored.updated,
      crc32c: crc32c(stored.data),
      md5Hash: createHash('md5').update(stored.data).digest('base64'),
    };
  }

  private notFound(response: ServerResponse): void {
    this.json(response, 404, {
      error: { code: 404, message: 'No such object', errors: [{ reason: 'notFound' }] },
    });
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

async function read(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** The bodies of a multipart/related payload (headers stripped). */
function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) parts.push(part.subarray(headerEnd + 4, part.length - 2));
    start = next;
  }
  return parts;
}
