import { Client } from 'pg';
import { copyIn } from '../src/database/copy-in';
import { connectTestDatabase } from './support/test-app';

/** Rows of COPY text of one length each: ids from `first` (zero-padded), bodies of `width`. */
function rows(first: number, count: number, width = 40): Buffer {
  const lines: string[] = [];
  for (let id = first; id < first + count; id++)
    lines.push(`${String(id).padStart(7, '0')}\t${String(id).padStart(width, 'x')}\n`);
  return Buffer.from(lines.join(''));
}

describe('copyIn (COPY FROM STDIN written to the protocol)', () => {
  let database: Awaited<ReturnType<typeof connectTestDatabase>>;
  let client: Client;

  beforeAll(async () => {
    database = await connectTestDatabase();
    client = database.client;
  });

  beforeEach(async () => {
    await client.query('DROP TABLE IF EXISTS loaded');
    await client.query('CREATE TABLE loaded (id int PRIMARY KEY, body text NOT NULL)');
  });

  afterAll(() => database.close());

  it('should store every row written, in pieces cut anywhere, and report the count', async () => {
    const data = rows(1, 20000);
    const copy = copyIn(client, 'COPY loaded (id, body) FROM STDIN');
    // Pieces of uneven size: rows are cut between writes and within one write.
    for (let at = 0, size = 1; at < data.length; at += size, size = (size * 7) % 65_521)
      await copy.write([
        data.subarray(at, at + Math.floor(size / 2)),
        data.subarray(at + Math.floor(size / 2), at + size),
      ]);

    expect(await copy.end()).toBe(20000);
    const [{ count, sum }] = (
      await client.query<{ count: string; sum: string }>(
        'SELECT count(*)::text AS count, sum(length(body))::text AS sum FROM loaded',
      )
    ).rows;
    expect(Number(count)).toBe(20000);
    expect(Number(sum)).toBe(20000 * 40);
  });

  it('should have sent the pieces when a write resolves, so their memory may be reused', async () => {
    // One buffer written, then overwritten with the next rows as soon as the write resolves, as the
    // restore reuses its block memory: the table must hold every row as it was written. Each write
    // (8 MiB) is larger than the socket takes at once, so part of it waits in the socket's queue.
    const batch = 40_000;
    const reused = Buffer.alloc(rows(1, batch, 200).length);
    const copy = copyIn(client, 'COPY loaded (id, body) FROM STDIN');
    for (let round = 0; round < 4; round++) {
      rows(1 + round * batch, batch, 200).copy(reused);
      await copy.write([reused]);
    }
    reused.fill('9');

    expect(await copy.end()).toBe(4 * batch);
    const mismatched = await client.query(
      `SELECT id FROM loaded WHERE body <> lpad(id::text, 200, 'x') LIMIT 1`,
    );
    expect(mismatched.rows).toEqual([]);
    const [{ max }] = (await client.query<{ max: number }>('SELECT max(id) AS max FROM loaded'))
      .rows;
    expect(max).toBe(4 * batch);
  });

  it("should fail with the server's error for a bad row, store nothing and leave the client usable", async () => {
    const copy = copyIn(client, 'COPY loaded (id, body) FROM STDIN');
    await copy.write([rows(1, 100), Buffer.from('not-a-number\tbody\n'), rows(200, 100)]);

    const failure = (await copy.end().then(
      () => undefined,
      (error: unknown) => error,
    )) as { code?: string } | undefined;
    expect(failure?.code).toBe('22P02');
    // A write after the failure reports it too.
    await expect(copy.write([rows(500, 1)])).rejects.toMatchObject({ code: '22P02' });
    const { rows: stored } = await client.query('SELECT count(*)::int AS count FROM loaded');
    expect(stored).toEqual([{ count: 0 }]);
  });

  it('should fail the first write when the COPY cannot start', async () => {
    const copy = copyIn(client, 'COPY missing_table (id) FROM STDIN');

    await expect(copy.write([rows(1, 1)])).rejects.toMatchObject({ code: '42P01' });
    await expect(copy.end()).rejects.toMatchObject({ code: '42P01' });
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
