import { TextBatch } from './export-files';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('TextBatch', () => {
  it('hands over what was added, and starts the next batch empty', () => {
    const b = new TextBatch(16);
    const src = bytes('xxhello world');
    b.addBytes(src, 2, 7);
    b.addBytes(src, 7, 13);
    expect(b.take().toString()).toBe('hello world');
    expect(b.bytes).toBe(0);
    b.addBytes(bytes('next'), 0, 4);
    expect(b.take().toString()).toBe('next');
  });

  it('grows past its first size without losing bytes', () => {
    const b = new TextBatch(8);
    for (let i = 0; i < 10; i++) b.addBytes(bytes('0123456789'), 0, 10);
    expect(b.take().toString()).toBe('0123456789'.repeat(10));
  });

  it('never writes into a batch that was taken and not given back', () => {
    const b = new TextBatch(16);
    b.addBytes(bytes('first batch'), 0, 11);
    const first = b.take();
    b.addBytes(bytes('second batch'), 0, 12);
    const second = b.take();
    expect(first.toString()).toBe('first batch');
    expect(second.toString()).toBe('second batch');
  });

  it('reuses a buffer once it is given back', () => {
    const b = new TextBatch(8192); // (below 4 kB Node hands out slices of a shared pool, never reused)
    b.addBytes(bytes('one'), 0, 3);
    const one = b.take();
    b.giveBack(one);
    b.addBytes(bytes('two'), 0, 3);
    const two = b.take(); // the batch that was being filled when `one` came back
    b.addBytes(bytes('three'), 0, 5);
    const three = b.take(); // now in `one`'s buffer
    expect(three.buffer).toBe(one.buffer);
    expect(two.toString()).toBe('two');
    expect(three.toString()).toBe('three');
  });

  it('truncates a partly added row', () => {
    const b = new TextBatch(16);
    b.addBytes(bytes('row1'), 0, 4);
    const mark = b.bytes;
    b.addBytes(bytes('ro'), 0, 2);
    b.truncate(mark);
    expect(b.take().toString()).toBe('row1');
  });
});
