-- A letter one may stop getting carries its one-click stop address (RFC 8058) in its
-- headers, so the mail program's «Отписаться» works without opening the letter.
ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe TEXT;
