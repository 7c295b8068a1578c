import {
  bookingLinkToken,
  cancellationNotice,
  rebookLink,
  verifyBookingLinkToken,
} from './cancellation-notice';

const booking = {
  bookingId: 'b-1',
  unitName: 'Vårdcentralen Huskvarna',
  start: new Date('2026-11-24T07:30:00Z'),
  phone: '+46701740610',
  protectedIdentity: false,
  smsOptOut: false,
};
const opts = {
  baseUrl: 'https://vaxops.example',
  secret: 's'.repeat(32),
  message: 'Vaccinleveransen uteblev.',
};

describe('cancellation SMS (R17)', () => {
  it('says when and where in Swedish time, why, and how to rebook — and nothing more', () => {
    const n = cancellationNotice(booking, opts)!;
    expect(n.toPhone).toBe('+46701740610');
    expect(n.body).toContain('08:30');
    expect(n.body).toContain('Vårdcentralen Huskvarna');
    expect(n.body).toContain('Vaccinleveransen uteblev.');
    expect(n.body).toContain(rebookLink(opts.baseUrl, 'b-1', opts.secret));
    expect(n.body).not.toMatch(/\d{10,12}/);
  });

  it('is not sent for protected identity, without a phone, or after an opt-out', () => {
    expect(cancellationNotice({ ...booking, protectedIdentity: true }, opts)).toBeUndefined();
    expect(cancellationNotice({ ...booking, phone: null }, opts)).toBeUndefined();
    expect(cancellationNotice({ ...booking, smsOptOut: true }, opts)).toBeUndefined();
  });

  it('signs the rebooking link so it cannot be forged for another booking', () => {
    expect(rebookLink(opts.baseUrl, 'b-1', opts.secret)).not.toBe(
      rebookLink(opts.baseUrl, 'b-2', opts.secret),
    );
    expect(rebookLink(opts.baseUrl, 'b-1', opts.secret)).not.toBe(
      rebookLink(opts.baseUrl, 'b-1', 'x'.repeat(32)),
    );
  });
});

describe('booking link tokens', () => {
  const secret = 's'.repeat(32);
  it('verifies its own tokens and refuses forged or mangled ones', () => {
    const token = bookingLinkToken('b-1', secret);
    expect(verifyBookingLinkToken(token, secret)).toBe('b-1');
    expect(verifyBookingLinkToken(token.replace(/^b-1/, 'b-2'), secret)).toBeUndefined();
    expect(verifyBookingLinkToken(token, 'x'.repeat(32))).toBeUndefined();
    expect(verifyBookingLinkToken(token.slice(0, -1), secret)).toBeUndefined();
    expect(verifyBookingLinkToken('no-dot', secret)).toBeUndefined();
  });
});
