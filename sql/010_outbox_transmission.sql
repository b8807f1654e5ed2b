-- Mail delivery, what an attempt is.
--
-- data_sent_at: set, under the claim, just before a message's bytes go out (after the server
-- accepted its envelope). A claim whose deliverer died before it was set sent nothing and is queued
-- again; one that died after it may have been delivered, and is failed as "outcome unknown".
-- A new kind, 'mail-refused': the operator's notice of a message a relay refused for its size.
alter table outbox add column data_sent_at timestamptz;
alter table outbox drop constraint outbox_kind_check;
alter table outbox add constraint outbox_kind_check check (kind in ('rebalance', 'alert', 'job-failure', 'mail-refused'));
