import { describe, expect, it } from 'vitest';
import type { PoolClient } from 'pg';
import { prepareStatementsOf, statementName } from './prepared-statements.ts';

/** A client that records what it was asked, as node-postgres's `query(config, values, callback)`. */
function recordingClient() {
  const calls: unknown[][] = [];
  const client = { query: (...args: unknown[]) => (calls.push(args), Promise.resolve({ rows: [] })) };
  prepareStatementsOf(client as unknown as PoolClient);
  return { client: client as unknown as PoolClient, calls };
}

describe('prepared statements', () => {
  it('names one text the same every time and two texts differently', () => {
    const a = statementName('select 1 where $1::int = 1');
    expect(a).toMatch(/^s\d+$/);
    expect(statementName('select 1 where $1::int = 1')).toBe(a);
    expect(statementName('select 2 where $1::int = 1')).not.toBe(a);
  });

  it('sends a parameterized text as a named statement with its values', async () => {
    const { client, calls } = recordingClient();
    await client.query('select * from t where id = $1', ['x']);
    expect(calls[0]).toEqual([{ name: statementName('select * from t where id = $1'), text: 'select * from t where id = $1' }, ['x'], undefined]);
  });

  it('leaves parameterless texts and config objects alone', async () => {
    const { client, calls } = recordingClient();
    await client.query('begin');
    await client.query('commit', []);
    const cursor = { text: 'select 1', submit: () => undefined };
    await client.query(cursor as never);
    expect(calls).toEqual([
      ['begin', undefined, undefined],
      ['commit', [], undefined],
      [cursor, undefined, undefined],
    ]);
  });
});
