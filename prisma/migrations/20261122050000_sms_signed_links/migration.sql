-- SMS links (issue 6): confirmations and reminders carry the same signed link as cancellations,
-- `<PUBLIC_URL>/boka?ombokning=<bookingId>.<signature>`, which shows the booking and lets the person
-- cancel or rebook it without logging in. The booking id is made inside the booking's own statement,
-- so the signature is computed in SQL: HMAC-SHA256 over 'rebook:<id>' with the server's secret,
-- base64url, first 22 characters — the same as bookingLinkToken() in cancellation-notice.ts (a test
-- checks that a link from an SMS opens the booking).
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE FUNCTION booking_link_token(booking_id text, secret text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT booking_id || '.' ||
         left(translate(encode(hmac('rebook:' || booking_id, secret, 'sha256'), 'base64'), E'+/=\n', '-_'), 22)
$$;
