import { createHash, Hash } from 'node:crypto';
import { createWriteStream, WriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { NvrWrittenFile } from './nvr-api';

export type WrittenFile = NvrWrittenFile;

/**
 * One output file, written as a stream: the SHA-256 and byte count are taken as the bytes go
 * out, and a full write buffer is waited out (backpressure), so memory stays flat however many
 * records pass through.
 */
export class HashedFileWriter {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  records = 0;

  constructor(
    readonly name: string,
    readonly kind: WrittenFile['kind'],
    path: string,
  ) {
    this.stream = createWriteStream(path, { highWaterMark: 1 << 20 });
  }

  /** Resolves once the bytes are in the file: the caller may then reuse a buffer it passed. */
  async write(text: string | Buffer, records = 0): Promise<void> {
    this.records += records;
    if (!text.length) return;
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    this.hash.update(buf);
    this.bytes += buf.length;
    await new Promise<void>((resolve, reject) =>
      this.stream.write(buf, (err) => (err ? reject(err) : resolve())),
    );
  }

  async close(): Promise<WrittenFile> {
    this.stream.end();
    await finished(this.stream);
    return {
      name: this.name,
      kind: this.kind,
      bytes: this.bytes,
      sha256: this.hash.digest('hex'),
      records: this.records,
    };
  }

  /** On failure: stop writing, without waiting for a flush that may never come. */
  destroy(): void {
    this.stream.destroy();
  }
}

/** The export directory (`NVR_EXPORT_DIR`): one folder per run, never a path from outside. */
export class ExportDirectory {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** A run's folder, emptied: a redone run writes its files anew. */
  async fresh(dir: string): Promise<string> {
    const abs = this.resolve(dir);
    await rm(abs, { recursive: true, force: true });
    await mkdir(abs, { recursive: true });
    return abs;
  }

  /** The absolute path of a file of a run, refusing anything that would leave the export dir. */
  resolve(dir: string, name = ''): string {
    const abs = resolve(this.root, dir, name);
    const rel = relative(this.root, abs);
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new Error(`path outside NVR_EXPORT_DIR: ${dir}/${name}`);
    return abs;
  }

  async writeJson(dir: string, name: string, value: unknown): Promise<WrittenFile> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    await writeFile(join(this.resolve(dir), name), text);
    return {
      name,
      kind: 'manifest',
      bytes: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
      records: 0,
    };
  }
}

/**
 * Bytes collected into one buffer (a batch of COPY rows, one column's text end to end). Buffers
 * are reused: `take` hands the filled one over, and once its reader is done with it `giveBack`
 * returns it for a later batch, so a run of a million rows allocates a few buffers, not a new
 * one per batch (which the garbage collector then chased, and which held the RSS up).
 */
export class TextBatch {
  private buf: Buffer;
  private pos = 0;
  private readonly spare: Buffer[] = [];

  constructor(private readonly initialBytes = 1 << 22) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  addBytes(src: Buffer, start: number, end: number): void {
    const len = end - start;
    if (this.pos + len > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + len));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    this.pos += src.copy(this.buf, this.pos, start, end);
  }

  /** Drops what was added after the first `bytes`. */
  truncate(bytes: number): void {
    this.pos = Math.min(this.pos, bytes);
  }

  get bytes(): number {
    return this.pos;
  }

  /** The bytes collected, handed over; the batch goes on in a spare buffer (or a new one). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    // the next batch is about as large as this one: start at that size instead of growing again
    const next = this.spare.pop();
    this.buf =
      next && next.length >= this.pos ? next : Buffer.allocUnsafe(Math.max(this.initialBytes, this.pos));
    this.pos = 0;
    return out;
  }

  /** A buffer from `take` whose bytes nobody reads any more. */
  giveBack(taken: Buffer): void {
    // only whole buffers of our own (never a slice of Node's shared pool for small buffers)
    if (this.spare.length < 2 && taken.byteOffset === 0 && taken.buffer.byteLength >= this.initialBytes)
      this.spare.push(Buffer.from(taken.buffer, 0, taken.buffer.byteLength));
  }
}
