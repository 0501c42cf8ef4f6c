// XML through xmlbuilder2, fast enough for a day of 1,000,000 entries.
//
// Measured here (bench machine, 2 shared cores): xmlbuilder2 builds about 5,000 camt.053 entries a second whether
// streamed (createCB) or as fragments, so 1,000,000 entries would take minutes. So the builder builds every
// shape once, with {{slot}} placeholders where the values go; `xmlTemplate` splits the serialised shape at the
// slots and fills them with escaped values per entry. The structure, declarations, namespaces and indentation are
// xmlbuilder2's; what we add per entry is only escaped text, so the output is what the builder would write.
import { fragment } from 'xmlbuilder2'
import type { ExpandObject } from 'xmlbuilder2/lib/interfaces'
import { encode, maxUtf8, putBytes, putText } from './bytes'
import type { SpoolLike } from './day-pass'

const SLOT = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g

/** Escapes element content (XML 1.0 §2.4). A quote stays a quote: OFX's SGML DTD has no &quot; entity. */
export function escapeXmlText(text: string): string {
  // Most values (ids, amounts, dates) need nothing: one test instead of two replaces.
  // eslint-disable-next-line no-control-regex
  if (!/[&<>\x00-\x08\x0b\x0c\x0e-\x1f]/.test(text)) return text
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '').replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
}

/** Escapes a double-quoted attribute value (XML 1.0 §3.3.3). */
export function escapeXmlAttribute(text: string): string {
  const escaped = escapeXmlText(text)
  return escaped.includes('"') ? escaped.replace(/"/g, '&quot;') : escaped
}

export type Fill<K extends string> = (values: Readonly<Record<K, string>>) => string

interface ParsedTemplate<K extends string> {
  /** The constant text around the slots: one more than the slots. */
  readonly parts: readonly string[]
  readonly slots: readonly K[]
  readonly escapes: readonly ((text: string) => string)[]
}

function parseTemplate<K extends string>(xml: string): ParsedTemplate<K> {
  const parts: string[] = []
  const slots: K[] = []
  const escapes: ((text: string) => string)[] = []
  let last = 0
  for (const m of xml.matchAll(SLOT)) {
    const before = xml.slice(0, m.index)
    parts.push(xml.slice(last, m.index))
    slots.push(m[1] as K)
    // Inside a tag (after a '<' with no '>' yet) the slot is an attribute value.
    escapes.push(before.lastIndexOf('<') > before.lastIndexOf('>') ? escapeXmlAttribute : escapeXmlText)
    last = m.index + m[0].length
  }
  parts.push(xml.slice(last))
  return { parts, slots, escapes }
}

/** Compiles serialised XML with {{slot}} placeholders into a function of the slots' values (escaped when filled). */
export function compileTemplate<K extends string>(xml: string): Fill<K> {
  const { parts, slots, escapes } = parseTemplate<K>(xml)
  return (values) => {
    let out = parts[0]!
    for (let i = 0; i < slots.length; i++) out += escapes[i]!(values[slots[i]!]) + parts[i + 1]!
    return out
  }
}

/**
 * A compiled template written as bytes (bytes.ts) straight into a spool's buffer: the same bytes as compileTemplate's
 * string for the same values (a test compares them), without the string of many pieces the spool would flatten and
 * encode (most of an XML export's CPU at 1,000,000 entries). The constant parts are encoded once.
 */
export interface ByteFill<K extends string> {
  into(spool: SpoolLike, values: Readonly<Record<K, string>>): void
}

export function compileByteTemplate<K extends string>(xml: string): ByteFill<K> {
  const { parts, slots, escapes } = parseTemplate<K>(xml)
  const bytes = parts.map(encode)
  const constant = bytes.reduce((n, part) => n + part.length, 0)
  const escaped: string[] = new Array<string>(slots.length).fill('')
  return {
    into(spool, values) {
      let max = constant
      for (let i = 0; i < slots.length; i++) max += maxUtf8((escaped[i] = escapes[i]!(values[slots[i]!])))
      const b = spool.room(max)
      let at = putBytes(b, spool.at, bytes[0]!)
      for (let i = 0; i < slots.length; i++) at = putBytes(b, putText(b, at, escaped[i]!), bytes[i + 1]!)
      spool.at = at
    }
  }
}

/** xmlTemplate's shape as a ByteFill. */
export function xmlByteTemplate<K extends string>(shape: ExpandObject, depth = 0): ByteFill<K> {
  const xml = fragment(shape).end({ prettyPrint: true, indent: '  ', offset: depth, newline: '\n' })
  return compileByteTemplate<K>(xml + '\n')
}

/** Builds `shape` with xmlbuilder2 (pretty-printed, indented as if `depth` levels deep) and compiles it. */
export function xmlTemplate<K extends string>(shape: ExpandObject, depth = 0): Fill<K> {
  const xml = fragment(shape).end({ prettyPrint: true, indent: '  ', offset: depth, newline: '\n' })
  return compileTemplate<K>(xml + '\n')
}

/** The element a shape puts where its stream of entries goes: `{ [ENTRIES]: {} }`. */
export const ENTRIES = '__entries__'

/** Splits a serialised shape at its ENTRIES element (on a line of its own) into the compiled parts around it. */
export function splitAtEntries<K extends string>(xml: string): { before: Fill<K>; after: Fill<K> } {
  const marker = `<${ENTRIES}/>`
  const at = xml.indexOf(marker)
  if (at < 0 || xml.indexOf(marker, at + 1) >= 0) throw new Error(`the shape needs exactly one ${ENTRIES} element`)
  const lineStart = xml.lastIndexOf('\n', at) + 1
  const lineEnd = xml.indexOf('\n', at)
  return { before: compileTemplate<K>(xml.slice(0, lineStart)), after: compileTemplate<K>(xml.slice(lineEnd + 1)) }
}
