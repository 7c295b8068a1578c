import { settledWithin } from './deadline';

describe('settledWithin', () => {
  it('is true when the work settles in time, whether it succeeds or fails', async () => {
    await expect(settledWithin(Promise.resolve(1), 100)).resolves.toBe(true);
    await expect(settledWithin(Promise.reject(new Error('no')), 100)).resolves.toBe(true);
  });

  it('is false, without waiting longer, when the work never settles', async () => {
    const started = Date.now();
    await expect(settledWithin(new Promise(() => undefined), 50)).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
