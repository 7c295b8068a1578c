import { maskIdentityNumbers } from './logging';

describe('log masking', () => {
  it.each([
    ['GET /api/patients/199001010017', 'GET /api/patients/19900101-****'],
    ['GET /api/patients/19900101-0017', 'GET /api/patients/19900101-****'],
    ['pnr 900101-0017 refused', 'pnr 900101-**** refused'],
    ['"personalIdentityNumber":"9001010017"', '"personalIdentityNumber":"900101-****"'],
  ])('hides the last four digits of identity numbers: %s', (line, masked) => {
    expect(maskIdentityNumbers(line)).toBe(masked);
  });

  it('leaves timestamps and other numbers alone', () => {
    const line = '{"time":1763736000000,"responseTime":12,"port":3000}';
    expect(maskIdentityNumbers(line)).toBe(line);
  });
});
