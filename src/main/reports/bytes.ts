// A record's bytes written straight into a spool's buffer (day-pass.ts Spool.room): the writers' common records
// (a cash sale's row, transaction or statement entry: nearly every record of a day) are put together here from
// pre-encoded constant parts and their few variable fields, instead of as a string of many pieces that the spool
// then flattens and encodes. Profiled on a 1,000,000-sale day, flattening and encoding those strings (Buffer#write)
// took more CPU than rendering them, and the strings themselves most of the garbage collector's work.
//
// Every function writes exactly the UTF-8 bytes of its text (Buffer#write's), so a record is byte for byte the
// string the writer would otherwise have appended; each returns the position after what it wrote.

/** Bytes a string can take in UTF-8, at most (3 per UTF-16 unit: a surrogate pair is 4 bytes for 2 units). */
export const maxUtf8 = (text: string): number => text.length * 3

/** `text` as UTF-8 at `pos`: a byte per character while it is ASCII (nearly always), Buffer#write otherwise. */
export function putText(b: Buffer, pos: number, text: string): number {
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    // Not ASCII: the bytes so far are UTF-8's too, so the whole text is written again by Buffer#write.
    if (c >= 0x80) return pos + b.write(text, pos, 'utf8')
    b[pos + i] = c
  }
  return pos + n
}

/** Bytes encoded once (a template's constant part) at `pos`. */
export function putBytes(b: Buffer, pos: number, bytes: Uint8Array): number {
  const n = bytes.length
  // A short part is copied faster by hand than through TypedArray#set's call.
  if (n > 48) b.set(bytes, pos)
  else for (let i = 0; i < n; i++) b[pos + i] = bytes[i]!
  return pos + n
}

/** A non-negative safe integer's decimal digits (what String(n) writes) at `pos`. */
export function putUint(b: Buffer, pos: number, n: number): number {
  if (!(Number.isSafeInteger(n) && n >= 0)) return putText(b, pos, String(n))
  let digits = 1
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++
  let at = pos + digits
  let rest = n
  do {
    b[--at] = 48 + (rest % 10)
    rest = Math.floor(rest / 10)
  } while (rest > 0)
  return pos + digits
}

/** Decimal digits a non-negative safe integer takes (String(n).length), at most 16; 24 for anything else. */
export const maxUint = (n: number): number => (Number.isSafeInteger(n) && n >= 0 ? 16 : 24)

export const encode = (text: string): Buffer => Buffer.from(text, 'utf8')
