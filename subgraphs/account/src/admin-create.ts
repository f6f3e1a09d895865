/**
 * `pnpm run admin:create --email <email> [--password <password>]`: the only way to make an admin.
 * Creates the account (verified) or adds the admin role to an existing one. Without --password a
 * random one is generated and printed once.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { accountOrmOptions } from './data/orm.config.ts';
import { emailField } from './domain/account-input.ts';
import { upsertAccount } from './domain/account-admin.ts';
import { passwordProblems, PasswordHasher } from './domain/passwords.ts';

const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' } } });
const config = loadConfig();
const email = emailField.safeParse(values.email ?? '');
if (!email.success) {
  process.stderr.write('Usage: pnpm run admin:create --email <email> [--password <password>]\n');
  process.exit(2);
}
const password = values.password ?? randomBytes(18).toString('base64url');
const weak = passwordProblems(password, config.PASSWORD_MIN_LENGTH, ['password']);
if (weak.length) {
  process.stderr.write(`${weak.map((w) => w.message).join('\n')}\n`);
  process.exit(2);
}
const hasher = new PasswordHasher({ memoryKib: config.ARGON2_MEMORY_KIB, iterations: config.ARGON2_ITERATIONS });
await withOrm(accountOrmOptions(config.ACCOUNT_DATABASE_URL), createLogger('admin-create', 'warn'), async (orm) => {
  const { id, created } = await upsertAccount(orm.em, hasher, { email: email.data, password, roles: ['admin'] });
  process.stdout.write(
    created
      ? `admin ${email.data} created (id ${id})${values.password ? '' : `\npassword (shown once): ${password}`}\n`
      : `${email.data} (id ${id}) now has the admin role; its password is unchanged\n`,
  );
});
