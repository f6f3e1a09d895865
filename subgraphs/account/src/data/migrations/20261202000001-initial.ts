import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override async up(): Promise<void> {
    // The id is the JWT subject every other subgraph keys its rows by.
    this.addSql(`create table customer (
      id uuid primary key,
      email varchar(254) not null,
      password_hash text not null,
      roles text[] not null default '{customer}',
      first_name varchar(100) null,
      last_name varchar(100) null,
      phone varchar(32) null,
      email_verified boolean not null default false,
      accepts_marketing boolean not null default false,
      default_address_id uuid null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`);
    // One account per email whatever its case.
    this.addSql('create unique index customer_email_lower on customer (lower(email))');
    this.addSql(`create table customer_address (
      id uuid primary key,
      customer_id uuid not null references customer (id) on delete cascade,
      first_name varchar(100) null,
      last_name varchar(100) null,
      company varchar(100) null,
      address1 varchar(200) not null,
      address2 varchar(200) null,
      city varchar(100) not null,
      province varchar(50) null,
      postal_code varchar(20) not null,
      country_code varchar(2) not null,
      phone varchar(32) null,
      created_at timestamptz not null
    )`);
    this.addSql('create index customer_address_customer on customer_address (customer_id, created_at)');
    this.addSql(
      'alter table customer add constraint customer_default_address foreign key (default_address_id) references customer_address (id) on delete set null',
    );
    // Opaque refresh tokens, stored as SHA-256 only. A family is one sign-in; each refresh uses one
    // token and adds the next; a used token presented again revokes the family.
    this.addSql(`create table refresh_token (
      id uuid primary key,
      family_id uuid not null,
      customer_id uuid not null references customer (id) on delete cascade,
      token_hash varchar(64) not null unique,
      expires_at timestamptz not null,
      used_at timestamptz null,
      revoked_at timestamptz null,
      created_at timestamptz not null
    )`);
    this.addSql('create index refresh_token_family on refresh_token (family_id)');
    this.addSql('create index refresh_token_customer on refresh_token (customer_id) where revoked_at is null');
    // Email verification and password reset links, single use, stored as SHA-256 only.
    this.addSql(`create table one_time_token (
      id uuid primary key,
      customer_id uuid not null references customer (id) on delete cascade,
      purpose text not null check (purpose in ('VERIFY_EMAIL', 'RESET_PASSWORD')),
      token_hash varchar(64) not null unique,
      email varchar(254) not null,
      expires_at timestamptz not null,
      used_at timestamptz null,
      created_at timestamptz not null
    )`);
    this.addSql('create index one_time_token_customer on one_time_token (customer_id, purpose) where used_at is null');
    // The access-token signing keys; private halves encrypted (AES-256-GCM) with ACCOUNT_KEY_ENCRYPTION_KEY.
    this.addSql(`create table signing_key (
      kid varchar(64) primary key,
      state text not null check (state in ('active', 'verifying', 'dev')),
      public_jwk jsonb not null,
      private_jwk_encrypted text null,
      created_at timestamptz not null,
      retiring_since timestamptz null
    )`);
    // At most one key signs.
    this.addSql(`create unique index signing_key_one_active on signing_key (state) where state = 'active'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists signing_key, one_time_token, refresh_token');
    this.addSql('alter table customer drop constraint if exists customer_default_address');
    this.addSql('drop table if exists customer_address, customer');
  }
}
