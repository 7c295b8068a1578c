/** A valid personnummer derived from a number in [0, 1): for demo traffic only. */
export function personnummerFor(r: number): string {
  const n = Math.floor(r * 1e9);
  const year = 1940 + (n % 65);
  const month = 1 + (Math.floor(n / 65) % 12);
  const day = 1 + (Math.floor(n / 780) % 28);
  const serial = String(Math.floor(n / 21_840) % 1000).padStart(3, '0');
  const nine = `${String(year).slice(2)}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${serial}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let x = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (x > 9) x -= 9;
    sum += x;
  }
  return `${String(year).slice(0, 2)}${nine}${(10 - (sum % 10)) % 10}`;
}
