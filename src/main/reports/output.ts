// Where an export's text goes: a Writable (a file, a socket, an HTTP response) with backpressure respected, so a
// day of 1,000,000 sales streams through in flat memory. Renderers are generators of text chunks; `writeChunks`
// batches them (one write per ~64 KiB: a write per line would cost more than rendering it) and waits for 'drain'.
import { once } from 'node:events'
import { Writable } from 'node:stream'

const BATCH_CHARS = 64 * 1024

export async function writeChunks(chunks: Iterable<string>, out: Writable): Promise<void> {
  let batch = ''
  for (const chunk of chunks) {
    batch += chunk
    if (batch.length >= BATCH_CHARS) {
      const ok = out.write(batch, 'utf8')
      batch = ''
      if (!ok) await once(out, 'drain')
    }
  }
  if (batch.length > 0 && !out.write(batch, 'utf8')) await once(out, 'drain')
}

/** A Writable that keeps what it is given, for tests and small days. */
export class StringSink extends Writable {
  private readonly parts: Buffer[] = []

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.parts.push(chunk)
    callback()
  }

  text(): string {
    return Buffer.concat(this.parts).toString('utf8')
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts)
  }
}

/** Ends a Writable and waits until everything reached its destination (a file is flushed and closed). */
export async function finish(out: Writable): Promise<void> {
  out.end()
  if (!out.writableFinished) await once(out, 'finish')
}
