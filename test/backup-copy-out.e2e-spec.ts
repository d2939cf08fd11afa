import { Client } from 'pg';
import { to as copyToStdout } from 'pg-copy-streams';
import { copyOut, CopySection } from '../src/backup/pipeline/copy-out';
import { connectTestDatabase } from './support/test-app';

async function collect(sections: AsyncIterable<CopySection>): Promise<CopySection[]> {
  const all: CopySection[] = [];
  for await (const section of sections) all.push(section);
  return all;
}

/** The same COPY through pg-copy-streams, the library the backup used before. */
async function reference(client: Client, text: string): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of client.query(copyToStdout(text))) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

const newlines = (data: Buffer) => data.toString('latin1').split('\n').length - 1;

describe('copyOut (COPY TO STDOUT read from the protocol)', () => {
  let database: Awaited<ReturnType<typeof connectTestDatabase>>;
  let client: Client;

  beforeAll(async () => {
    database = await connectTestDatabase();
    client = database.client;
    // Short rows, rows with characters COPY escapes, and rows of 200 KB that span several socket
    // reads (so a message and its 5-byte header are cut between reads at many places).
    await client.query(`CREATE TABLE samples (id int PRIMARY KEY, body text, doc jsonb)`);
    await client.query(`INSERT INTO samples
      SELECT g, CASE WHEN g % 500 = 0 THEN repeat(md5(g::text), 6400)
                     WHEN g % 7 = 0 THEN E'tab\\there\\nnewline \\\\ back' || g
                     WHEN g % 11 = 0 THEN NULL
                     ELSE 'row ' || g END,
             jsonb_build_object('g', g, 'label', 'sample ' || g)
        FROM generate_series(1, 20000) g`);
  });

  afterAll(() => database.close());

  it('should give the bytes and the row count pg-copy-streams gives, in sections of whole rows', async () => {
    const text = 'COPY samples (id, body, doc) TO STDOUT';
    const expected = await reference(client, text);
    const copy = copyOut(client, text, 64 * 1024);

    const sections = await collect(copy.sections);

    const data = Buffer.concat(sections.flatMap((section) => section.parts));
    expect(data.equals(expected)).toBe(true);
    expect(sections.reduce((sum, section) => sum + section.rows, 0)).toBe(20000);
    expect(copy.serverRows()).toBe(20000);
    expect(sections.length).toBeGreaterThan(10);
    for (const [index, section] of sections.entries()) {
      const bytes = Buffer.concat(section.parts);
      expect(bytes.length).toBe(section.bytes);
      expect(newlines(bytes)).toBe(section.rows);
      expect(bytes[bytes.length - 1]).toBe(0x0a);
      if (index < sections.length - 1) expect(section.bytes).toBeGreaterThanOrEqual(64 * 1024);
    }
    expect(copy.copying()).toBe(false);
    expect((await client.query('SELECT count(*)::int AS n FROM samples')).rows[0].n).toBe(20000);
  });

  it('should fail with the server error and leave the connection usable when the COPY fails half-way', async () => {
    // The error comes after tens of thousands of rows have been sent.
    const copy = copyOut(
      client,
      'COPY (SELECT g, 1 / (g - 60000) FROM generate_series(1, 100000) g) TO STDOUT',
      16 * 1024,
    );

    await expect(collect(copy.sections)).rejects.toThrow('division by zero');

    expect(copy.copying()).toBe(false);
    expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  it('should fail with the server error when the COPY cannot start', async () => {
    const copy = copyOut(client, 'COPY no_such_table TO STDOUT', 16 * 1024);

    await expect(collect(copy.sections)).rejects.toThrow('does not exist');

    expect((await client.query('SELECT 2 AS two')).rows[0].two).toBe(2);
  });

  it('should report that the COPY is unfinished when the consumer stops early', async () => {
    const other = new Client({ connectionString: database.url });
    await other.connect();
    try {
      const copy = copyOut(other, 'COPY samples TO STDOUT', 16 * 1024);
      for await (const section of copy.sections) {
        expect(section.rows).toBeGreaterThan(0);
        break;
      }

      expect(copy.copying()).toBe(true);
      const ending = other.end();
      copy.abandon();
      await ending;
      expect(copy.copying()).toBe(false);
    } finally {
      await other.end().catch(() => undefined);
    }
  });
});
