import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';

/**
 * A fresh database for one test file (Vendure-style isolation): tests never share rows, so they
 * can run in parallel against the one Postgres server.
 */
export async function createTestDatabase(prefix: string, adminUrl = inject('postgresUrl')): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
