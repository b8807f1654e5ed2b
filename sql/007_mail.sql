-- Mail: the subscribers of model portfolios, and the outbox every email goes through.

-- One row per (portfolio, email). Removing a subscriber sets unsubscribed_at (kept, so a queued
-- message is cancelled and the history stays); the token is the secret of the unsubscribe link.
create table subscribers (
  id                bigint generated always as identity primary key,
  portfolio_id      bigint not null references portfolios (id) on delete cascade,
  email             text not null check (email = lower(email) and email like '%_@_%'),
  name              text,
  -- the amount the subscriber follows the portfolio with: shares and values in the report scale to it
  amount            double precision not null check (amount > 0),
  currency          text not null check (currency ~ '^[A-Z]{3}$'),
  unsubscribe_token text not null unique,
  created_at        timestamptz not null default now(),
  unsubscribed_at   timestamptz,
  unique (portfolio_id, email)
);

-- Every message, composed once at enqueue time: `raw` is the complete RFC 822 message, so a retry
-- sends exactly the same bytes (same Message-ID and Date). The idempotency key makes enqueueing
-- the same message twice a no-op. Delivery claims a row (status 'sending' with a lease) before
-- sending, so two deliverers never send the same row.
create table outbox (
  id              bigint generated always as identity primary key,
  idempotency_key text not null unique,
  kind            text not null check (kind in ('rebalance', 'alert', 'job-failure')),
  -- set for subscriber mail: a message still queued when its subscriber unsubscribes is cancelled
  subscriber_id   bigint references subscribers (id) on delete set null,
  -- SMTP envelope: the sender and the one recipient (bare addresses)
  sender          text not null,
  recipient       text not null,
  subject         text not null,
  message_id      text not null,
  raw             bytea not null,
  status          text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'failed', 'cancelled')),
  attempts        integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  -- while 'sending': the deliverer's claim and until when it holds it
  claim_token     text,
  lease_until     timestamptz,
  last_error      text,
  -- where it went: the SMTP server's reply, or the path of the .eml file
  destination     text,
  sent_at         timestamptz,
  created_at      timestamptz not null default now()
);
create index outbox_due on outbox (next_attempt_at, id) where status = 'queued';
create index outbox_sending on outbox (lease_until) where status = 'sending';
create index outbox_subscriber on outbox (subscriber_id);
